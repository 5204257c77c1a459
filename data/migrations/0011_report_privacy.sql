-- Issue 15: whether a built report's files name individuals. Decided when it is built, from its author's role and
-- the organisation's privacy setting then; a viewer who may not see individuals downloads only reports with false.
-- Reports built before this column existed are NULL and treated as naming individuals.
ALTER TABLE reports ADD COLUMN names_individuals boolean;
