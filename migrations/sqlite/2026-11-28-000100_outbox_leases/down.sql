DROP INDEX outbox_leases;
