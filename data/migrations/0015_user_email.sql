-- Issue 17: an account's e-mail address, where its alert notifications go (else its linked employee's).
ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 320);
