//! `reject_settlement`: a party rejects the open settlement proposal.

super::note_action!(
    /// Reject the settlement proposal.
    RejectSettlement,
    RejectSettlement,
    SettlementRejected,
    party
);
