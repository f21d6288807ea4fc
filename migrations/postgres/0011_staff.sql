-- Staff imported from the school's sheet: a phone number, and no password of their own until the first sign-in.
-- Such a person signs in once with a one-time code the admin printed on a slip (its Argon2 hash is kept as the
-- password hash until `code_expires_at`), then sets a password; `password_set` is 0 until then.
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN password_set BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN code_expires_at BIGINT;
