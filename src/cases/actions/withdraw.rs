//! `withdraw`: the complainant withdraws the complaint before a ruling.

super::note_action!(
    /// Withdraw the complaint.
    Withdraw,
    Withdraw,
    Withdrawn,
);
