CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_value BIGINT NOT NULL
);
INSERT INTO reference_counters (year, last_value)
SELECT CAST(substr(reference, 5, 4) AS INTEGER), MAX(CAST(substr(reference, 10) AS INTEGER))
FROM cases GROUP BY 1;
DROP TABLE case_number_seq;
