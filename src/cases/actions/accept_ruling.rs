//! `accept_ruling`: a party accepts the ruling; when both have, follow-up begins.

super::note_action!(
    /// Accept the ruling.
    AcceptRuling,
    AcceptRuling,
    RulingAccepted,
    party
);
