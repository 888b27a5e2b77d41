-- How soon a category promises a first answer (hours); none: by priority.
ALTER TABLE categories ADD COLUMN first_response_hours INTEGER;
