-- What the final ruling of a case asks for, one row per remedy and per
-- sanction, written when the case enters follow-up; each is pending until
-- staff record it done or waived, or the scan finds it overdue.
CREATE TABLE obligations (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    ruling_id TEXT NOT NULL REFERENCES rulings(id),
    part TEXT NOT NULL CHECK (part IN ('remedy', 'sanction')),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    duration_days INTEGER,
    due_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'overdue', 'waived')),
    note TEXT,
    evidence_id TEXT REFERENCES evidence(id),
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    updated_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (ruling_id, part, position)
);
CREATE INDEX obligations_case ON obligations(case_id, created_at);
-- The pending ones by due date: the scan that marks them overdue
-- (jobs::obligations) reads only those due.
CREATE INDEX obligations_due ON obligations(due_at) WHERE status = 'pending';
