//! `close`: the assigned mediator closes the case after follow-up.

super::note_action!(
    /// Close the case.
    Close,
    Close,
    Closed,
);
