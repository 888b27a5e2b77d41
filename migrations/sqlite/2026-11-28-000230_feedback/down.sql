DROP TABLE case_feedback;
