-- Sent mail keeps no text. An invitation or password-reset link is for its addressee alone,
-- so once a mail has left, its outbox row no longer holds the body (the worker now drops it
-- in the same UPDATE that marks the mail sent); this clears the mail sent before that.
-- Unsent mail keeps its text until it is delivered. The note is `outbox::SCRUBBED_BODY`.
UPDATE outbox SET body_text = '(delivered; the text is not kept)' WHERE sent_at IS NOT NULL;
