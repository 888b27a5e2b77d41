DROP TABLE throttle_secret;
DROP TABLE sign_in_throttle;
