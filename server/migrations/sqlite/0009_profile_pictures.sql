-- Profile pictures, one per person, kept as the 256×256 PNG made on upload (never the file
-- as sent). `updated_at` is part of the picture's address, so a browser's cached copy is
-- replaced when the picture changes.
CREATE TABLE profile_pictures (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    png        BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
);
