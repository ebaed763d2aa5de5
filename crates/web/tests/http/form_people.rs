//! A person question on an organisation's own form (issue 25): one of the members of the
//! record's household (the child's households for a case form), offered by name on the page and
//! in the offline copy; anyone else is refused with a message and nothing is kept; and only
//! once the record is known to be the reader's is the household looked at, so no answer tells
//! who lives in another organisation's household.

use crate::app::each_db;
use crate::form_support::{add_field, child_with_open_case, new_form, publish};
use serde_json::json;

#[tokio::test]
async fn a_person_question_names_a_member_of_the_childs_household() {
    each_db(|app| async move {
        let path = new_form(&app, "case", "អ្នកថែទាំ", "Carer").await;
        let form = path.trim_start_matches("/admin/forms/").to_string();
        let field = [("kind", "person"), ("label_km", "អ្នកថែទាំចម្បង"), ("label_en", "Main carer"), ("required", "on")];
        assert_eq!(add_field(&app, &path, &field).await, 303);
        let (a, _) = app.login("admin").await;
        let preview = a.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(
            preview.contains("The household&#39;s members are listed here") || preview.contains("household's members are listed"),
            "{preview}"
        );
        assert_eq!(publish(&app, &path).await.status(), 303);

        let w = app.token(&app.worker).await;
        let c = child_with_open_case(&app, &w).await;
        let id = c["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today().to_string();
        let home = json!({"name": "Sok family", "income_band": "unknown", "id_poor": "unknown", "child_id": id, "members": [
            {"name_km": "សុខ ចាន់ធី", "name_latin": "Sok Chanthy", "relationship": "mother", "sex": "female", "is_head": true},
            {"name_latin": "Sok Vuthy", "relationship": "aunt_uncle", "sex": "male"}]});
        assert_eq!(app.api_post(&w, "/api/v1/households", home).await.status(), 201);

        let (web, wcsrf) = app.login("worker").await;
        let fill = format!("/children/{id}/case/custom/{form}");
        let page = web.get(app.url(&fill)).send().await.unwrap().text().await.unwrap();
        let mother = krousar_domain::forms::answers::person_key(Some("សុខ ចាន់ធី"), Some("Sok Chanthy"));
        assert!(page.contains("Sok Chanthy") && page.contains("Sok Vuthy") && page.contains("type=\"radio\" name=\"f1\""), "{page}");
        // Someone who is not in the household: refused, nothing kept.
        let stranger = krousar_domain::forms::answers::person_key(None, Some("Chan Dara"));
        let res =
            web.post(app.url(&fill)).form(&[("_csrf", wcsrf.as_str()), ("answered_on", &today), ("f1", &stranger)]).send().await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Choose a member of the household from the list."));
        let res =
            web.post(app.url(&fill)).form(&[("_csrf", wcsrf.as_str()), ("answered_on", &today), ("f1", &mother)]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let timeline = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(timeline.contains("Main carer: Sok Chanthy"), "{timeline}");

        // Who the household's members are is told only to who may answer on the record: not to
        // the organisation's administrator, nor to another organisation (whatever it reads of
        // the child through a referral), on the page, offline or on a registration form.
        use krousar_domain::forms::FormTarget;
        for target in [FormTarget::Case, FormTarget::Child] {
            assert_eq!(app.store.record_people(&app.worker.actor(), target, id.parse().unwrap()).await.unwrap().len(), 2);
            assert!(app.store.record_people(&app.admin.actor(), target, id.parse().unwrap()).await.unwrap().is_empty());
            assert!(app.store.record_people(&app.other_worker.actor(), target, id.parse().unwrap()).await.unwrap().is_empty());
        }

        // Offline: the copy lists the household's members; the form asks for one of them.
        let d = crate::sync::enrol(&app, "worker").await;
        let (_, pulled) = d.post(&app, "/pull", json!({"have": {}})).await;
        let child = pulled["children"].as_array().unwrap().iter().find(|x| x["id"] == id.as_str()).unwrap();
        assert_eq!(child["people"].as_array().unwrap().len(), 2, "{child}");
        assert!(pulled["forms"][format!("custom:{form}")].to_string().contains("\"type\":\"person\""));

        // Another organisation's worker answering its own person question on this child: as
        // if the child did not exist, whether or not the name given lives there.
        let hash = krousar_web::auth::hash_password(crate::app::PASSWORD).unwrap();
        let theirs = app
            .store
            .create_user(
                krousar_store::Who::system(),
                app.other_worker.org_id,
                None,
                "oadmin",
                "O",
                krousar_domain::Role::OrgAdmin,
                &hash,
                "en",
            )
            .await
            .unwrap()
            .actor();
        let their_form =
            app.store.create_custom_form(&theirs, krousar_domain::forms::FormDef::named(Some("ក"), None).unwrap()).await.unwrap();
        let person = krousar_domain::forms::definition::FieldInput {
            kind: Some("person".into()),
            label_km: Some("អ្នក".into()),
            required: Some("on".into()),
            ..Default::default()
        };
        app.store.edit_custom_form(&theirs, their_form, "add", |d| d.add_field(&person).map(|_| ())).await.unwrap();
        app.store.publish_custom_form(&theirs, their_form).await.unwrap();
        let s = app.token(&app.other_worker).await;
        for who in [&mother, &stranger] {
            let body = json!({"answered_on": today, "answers": {"f1": who}});
            let res = app.api_post(&s, &format!("/api/v1/children/{id}/case/custom/{their_form}"), body).await;
            assert_eq!(res.status(), 404, "{who}");
        }
    })
    .await;
}
