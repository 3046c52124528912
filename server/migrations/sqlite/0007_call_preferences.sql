-- Call preferences (one row per person; no row means the defaults: calls sent by e-mail to
-- the person's own address, see `CallPreferences::defaults`) and per-agency settings (the
-- labels of the four custom user fields). Both carry a version for optimistic saves.
--
-- Times of day are minutes after midnight in the person's own time zone (users.time_zone).
-- `schedule` is compact JSON: seven arrays, Monday first, of [start, end] minute pairs, e.g.
-- [[[540,1020]],[[540,1020]],[[540,1020]],[[540,1020]],[[540,1020]],[],[]].
-- Other features read `send_calls_to`, `phone` and `email` (LEFT JOIN, defaulting as above).
CREATE TABLE call_preferences (
    user_id                        INTEGER PRIMARY KEY REFERENCES users (id),
    send_calls_to                  TEXT    NOT NULL CHECK (send_calls_to IN ('text', 'email')),
    phone                          TEXT, -- E.164, e.g. +12025550123
    email                          TEXT, -- normalised (trimmed, lower-case)
    missed_call_email              TEXT    NOT NULL
        CHECK (missed_call_email IN ('team', 'always', 'never')),
    dial_app_first                 INTEGER NOT NULL CHECK (dial_app_first IN (0, 1)),
    call_waiting                   INTEGER NOT NULL CHECK (call_waiting IN (0, 1)),
    audio_bitrate                  INTEGER NOT NULL, -- kbps, one of the fixed list
    direct_dial_number             TEXT, -- E.164
    direct_dial_extension          TEXT, -- 1 to 10 digits
    sip_address                    TEXT, -- sip: or sips: URI
    text_window_start              INTEGER NOT NULL,
    text_window_end                INTEGER NOT NULL,
    schedule                       TEXT    NOT NULL,
    -- Set by administrators only.
    can_view_messages_tab          INTEGER NOT NULL CHECK (can_view_messages_tab IN (0, 1)),
    can_view_all_sms               INTEGER NOT NULL CHECK (can_view_all_sms IN (0, 1)),
    can_view_missed_calls          INTEGER NOT NULL CHECK (can_view_missed_calls IN (0, 1)),
    can_view_unassigned_recordings INTEGER NOT NULL
        CHECK (can_view_unassigned_recordings IN (0, 1)),
    -- The four custom user fields ('' when empty); their labels are the agency's.
    custom_1                       TEXT    NOT NULL DEFAULT '',
    custom_2                       TEXT    NOT NULL DEFAULT '',
    custom_3                       TEXT    NOT NULL DEFAULT '',
    custom_4                       TEXT    NOT NULL DEFAULT '',
    updated_at                     INTEGER NOT NULL,
    version                        INTEGER NOT NULL DEFAULT 1
);

-- Settings of an agency (a root node). No row means the defaults.
CREATE TABLE agency_settings (
    agency_id           INTEGER PRIMARY KEY REFERENCES nodes (id),
    -- JSON array of the 4 labels, e.g. ["Custom field 1", …].
    custom_field_labels TEXT    NOT NULL,
    updated_at          INTEGER NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
