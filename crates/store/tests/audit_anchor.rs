//! The audit chain against someone who can write the database (issue 19, item 7): they drop
//! the triggers, delete an entry and recompute every later hash and the head. The chain alone
//! then holds together; the checkpoints signed outside the database do not. On every engine.

#[path = "support/chain_attacker.rs"]
mod chain_attacker;
mod support;

use chain_attacker::recompute_without;

use krousar_domain::choices::OrgKind;
use krousar_store::audit::{self, Break};
use krousar_store::keyring::Keyring;
use krousar_store::{Store, Who};

async fn write_entries(store: &Store, n: usize) {
    for _ in 0..n {
        store.create_org(Who::system(), &format!("Org {}", uuid::Uuid::now_v7()), OrgKind::Ngo).await.unwrap();
    }
}

fn with_keys(store: Store, dir: &std::path::Path) -> Store {
    let (keys, _) = Keyring::open_or_create(&dir.join("krousar.keys")).unwrap();
    store.with_keys(keys)
}

#[tokio::test]
async fn a_recomputed_chain_does_not_match_the_signed_checkpoints() {
    for store in support::stores("anchor").await {
        let dir = std::env::temp_dir().join(format!("krousar-anchor-{}", uuid::Uuid::now_v7()));
        let store = with_keys(store, &dir);
        write_entries(&store, 4).await;
        let first = store.checkpoint_audit().await.unwrap().expect("a checkpoint of a chain with entries");
        write_entries(&store, 3).await;
        let second = store.checkpoint_audit().await.unwrap().unwrap();
        assert!(second.seq > first.seq);

        // Untampered: intact, and the operator sees what it was held to.
        let v = store.verify_audit().await.unwrap();
        assert!(v.intact(), "{v:?}");
        assert_eq!(v.checkpoints, 2);
        assert_eq!(v.last.as_ref().map(|c| c.seq), Some(second.seq));

        recompute_without(&store, 2).await;
        // The chain alone is fooled: that is the attack.
        assert_eq!(audit::verify(&store).await.unwrap().broken_at, None, "the attacker recomputed a consistent chain");
        let v = store.verify_audit().await.unwrap();
        assert!(!v.intact());
        assert_eq!(v.chain.why, Some(Break::Checkpoint), "{v:?}");
        assert_eq!(v.chain.broken_at, Some(first.seq), "the first checkpoint after the deleted entry");
    }
}

/// Removing the newest entries (and the head with them) leaves a checkpoint beyond the chain;
/// a forged or damaged line is reported; a truncated file shows in the count.
#[tokio::test]
async fn removed_entries_forged_and_removed_checkpoints_are_reported() {
    for store in support::stores("anchor2").await {
        let dir = std::env::temp_dir().join(format!("krousar-anchor2-{}", uuid::Uuid::now_v7()));
        let store = with_keys(store, &dir);
        write_entries(&store, 3).await;
        let last = store.checkpoint_audit().await.unwrap().unwrap();
        // The attacker removes the last entry and recomputes the head: every link holds.
        recompute_without(&store, last.seq).await;
        assert_eq!(audit::verify(&store).await.unwrap().broken_at, None);
        let v = store.verify_audit().await.unwrap();
        assert_eq!((v.chain.why, v.chain.broken_at), (Some(Break::Beyond), Some(last.seq)), "{v:?}");

        // A line written without the key is not a checkpoint.
        let file = dir.join(krousar_store::audit_anchor::FILE_NAME);
        let text = std::fs::read_to_string(&file).unwrap();
        let forged = text.replace(&last.hash, &"0".repeat(64));
        std::fs::write(&file, &forged).unwrap();
        let v = store.verify_audit().await.unwrap();
        assert_eq!(v.bad_lines, vec![1]);
        assert!(!v.intact());

        // A checkpoint signed with a key since rotated out and retired is not checked (and
        // not taken for a forgery): the operator sees how many.
        std::fs::write(&file, &text).unwrap();
        let keys = Keyring::open(&dir.join("krousar.keys")).unwrap();
        let old = keys.current_id().unwrap();
        keys.add_key().unwrap();
        keys.remove_key(&old).unwrap();
        let v = store.verify_audit().await.unwrap();
        assert_eq!((v.checkpoints, v.retired, v.bad_lines.len()), (0, 1, 0), "{v:?}");

        // An emptied file holds nothing to check against: verify says so (none, no last).
        std::fs::write(&file, "").unwrap();
        let v = store.verify_audit().await.unwrap();
        assert_eq!((v.checkpoints, v.last), (0, None));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
