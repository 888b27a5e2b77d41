-- How each party rated the handling of a closed case: once per party.
CREATE TABLE case_feedback (
    case_id TEXT NOT NULL REFERENCES cases(id),
    party TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, party)
);
