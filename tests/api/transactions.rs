//! A write whose work panics leaves nothing behind: its transaction is
//! rolled back before the connection goes back to the pool, so the next
//! write on that connection neither fails nor commits the panicked work.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};
use ombud::db::{Db, StoreError};

use crate::helpers::on_each_backend;

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[tokio::test]
async fn a_panicking_write_is_rolled_back_and_its_connection_reused() {
    on_each_backend(|app| async move {
        // One connection, so the write after the panic gets the same one.
        let db = Db::connect(&app.db.url, 1, Duration::from_secs(5)).unwrap();
        db.write(|conn| -> Result<(), StoreError> {
            conn.batch_execute("CREATE TABLE marks (x BIGINT)")?;
            Ok(())
        })
        .await
        .unwrap();
        let panicked = db
            .write(|conn| -> Result<(), StoreError> {
                conn.batch_execute("INSERT INTO marks VALUES (1)")?;
                panic!("a bug in the work");
            })
            .await;
        assert!(panicked.is_err());
        db.write(|conn| -> Result<(), StoreError> {
            conn.batch_execute("INSERT INTO marks VALUES (2)")?;
            Ok(())
        })
        .await
        .unwrap();
        let marks = db
            .read(|conn| -> Result<i64, StoreError> {
                let n: N = diesel::sql_query("SELECT CAST(sum(x) AS BIGINT) AS n FROM marks")
                    .get_result(conn)?;
                Ok(n.n)
            })
            .await
            .unwrap();
        assert_eq!(marks, 2, "only the write that finished is there");
    })
    .await;
}
