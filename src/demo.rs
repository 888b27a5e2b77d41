//! `ombud demo`: users in every role and cases in every state, to explore.
