-- Issue 16: two people with the same name (two 王芳 in the demo) must be told apart wherever a name is shown.
-- display_name(e) is the one definition of what a person is called on screen: the name, and " · <code>" when
-- another employee of the organisation (active or not: old history keeps its names apart) has the same name.
-- Queries that show a person select it; edits and exports keep the plain name.
CREATE INDEX employees_name_idx ON employees (name);

CREATE FUNCTION display_name(person employees) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE
            WHEN EXISTS (SELECT 1 FROM employees other WHERE other.name = person.name AND other.id <> person.id)
            THEN person.name || ' · ' || person.code
            ELSE person.name
        END
    $$;
