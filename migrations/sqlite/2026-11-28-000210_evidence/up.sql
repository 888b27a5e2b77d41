-- Evidence: files attached to a case. The content is kept by its SHA-256
-- in the evidence store (one copy for identical files); this is the record
-- of each attachment. A hidden item is kept and shown to staff only (and
-- to whoever added it); an item its party removed before the
-- investigation is deleted, and its content goes once nothing else uses it.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    visibility TEXT NOT NULL,
    file_name TEXT NOT NULL,
    description TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    hidden_at TIMESTAMP,
    hidden_by TEXT REFERENCES users(id),
    hidden_reason TEXT
);
CREATE INDEX evidence_case ON evidence (case_id, id);
CREATE INDEX evidence_content ON evidence (sha256);
