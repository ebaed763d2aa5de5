//! Community groups: members linked to the organisation's own records only (another's child
//! or household person is refused like one that does not exist), named people with sex and
//! age group, sessions with who came and people reached, corrections, members leaving; the
//! three indicators and their drill-downs; the pages in Khmer; another organisation sees none.

use crate::app::{child_json, each_db, TestApp};
use serde_json::{json, Value};

async fn created(res: reqwest::Response) -> String {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

/// A household of `token`'s organisation with a mother and a father; (household, their ids).
async fn family(app: &TestApp, token: &str, child: &str) -> (String, Vec<String>) {
    let members = json!([
        {"name_km": "សុខ ដារ៉ា", "relationship": "mother", "sex": "female", "birth_year": "1988"},
        {"name_km": "ចាន់ វិបុល", "relationship": "father", "sex": "male", "birth_year": "1984"}
    ]);
    let body = json!({"name": "គ្រួសារ ចាន់", "income_band": "unknown", "id_poor": "unknown", "members": members, "child_id": child, "village_code": "02020101"});
    let id = created(app.api_post(token, "/api/v1/households", body).await).await;
    let got: Value = app.api_get(token, &format!("/api/v1/households/{id}")).await.json().await.unwrap();
    let people = got["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    (id, people)
}

#[tokio::test]
async fn a_parenting_club_and_an_awareness_event_are_counted_and_no_one_else_sees_them() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let s = app.token(&app.supervisor).await;
        let x = app.token(&app.other_worker).await;
        let today = krousar_domain::today();
        let day = |n: u64| (today - chrono::Days::new(n)).to_string();
        let child = created(app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await).await;
        let (_home, people) = family(&app, &w, &child).await;
        let theirs = created(app.api_post(&x, "/api/v1/children", child_json("ដារា", "Dara")).await).await;
        let (_, their_people) = family(&app, &x, &theirs).await;

        let bad = app.api_post(&s, "/api/v1/groups", json!({"name": "", "kind": "book_club", "village_code": "99999999"})).await;
        assert_eq!(bad.status(), 422);
        let club = json!({"name": "ក្លឹបឪពុកម្តាយ ភូមិ ១", "kind": "parenting_club", "organiser": "Sovann", "village_code": "02020101"});
        let club = created(app.api_post(&s, "/api/v1/groups", club).await).await;
        let members_url = format!("/api/v1/groups/{club}/members");
        let add = |body: Value| app.api_post(&s, &members_url, body);
        let mother = created(add(json!({"household_member_id": people[0]})).await).await;
        let father = created(add(json!({"household_member_id": people[1]})).await).await;
        let yay = created(add(json!({"name": "យាយ ស៊ីណា", "sex": "female", "age_group": "60_plus", "role": "caregiver"})).await).await;
        let girl = created(add(json!({"child_id": child})).await).await;
        // The same person twice, another organisation's child or person, half a named person: refused.
        assert_eq!(add(json!({"child_id": child})).await.status(), 422);
        assert_eq!(add(json!({"household_member_id": people[0]})).await.status(), 422);
        assert_eq!(add(json!({"child_id": theirs})).await.status(), 422);
        assert_eq!(add(json!({"household_member_id": their_people[0]})).await.status(), 422);
        let half: Value = add(json!({"name": "Dara"})).await.json().await.unwrap();
        assert!(half.to_string().contains("sex") && half.to_string().contains("age_group"), "{half}");

        // A session: who came, checked against the group's members.
        let session = json!({"held_on": day(3), "topic": "វិន័យវិជ្ជមាន", "attended": [mother, father, yay, girl]});
        let first = created(app.api_post(&s, &format!("/api/v1/groups/{club}/sessions"), session).await).await;
        let stranger = json!({"held_on": day(2), "topic": "x", "attended": [people[0]]});
        assert_eq!(app.api_post(&s, &format!("/api/v1/groups/{club}/sessions"), stranger).await.status(), 422);
        let future = json!({"held_on": (today + chrono::Days::new(1)).to_string(), "topic": "x"});
        assert_eq!(app.api_post(&s, &format!("/api/v1/groups/{club}/sessions"), future).await.status(), 422);

        // An awareness event: one member came and 35 others were counted (20 women and girls).
        let event = json!({"name": "Campaign", "kind": "awareness_campaign", "village_code": "02020101"});
        let event = created(app.api_post(&s, "/api/v1/groups", event).await).await;
        let speaker = created(app.api_post(&s, &format!("/api/v1/groups/{event}/members"), json!({"name": "Ms Phalla", "sex": "female", "age_group": "25_59", "role": "community"})).await).await;
        let talk = json!({"held_on": day(1), "topic": "Children belong in families", "attended": [speaker], "reached_female": "២០", "reached_male": "15"});
        created(app.api_post(&s, &format!("/api/v1/groups/{event}/sessions"), talk).await).await;

        let figures = |token: String| {
            let app = &app;
            async move {
                let ind: Value = app.api_get(&token, "/api/v1/indicators").await.json().await.unwrap();
                let of = |code: &str| ind["items"].as_array().unwrap().iter().find(|i| i["code"] == code).map(|i| i["count"].clone());
                (of("caregivers_parenting"), of("group_sessions"), of("people_reached"))
            }
        };
        let (carers, sessions, reached) = figures(s.clone()).await;
        // The mother, the father and the grandmother came as caregivers; the girl as a child.
        assert_eq!((carers.clone().unwrap()["total"].clone(), carers.unwrap()["female"].clone()), (json!(3), json!(2)));
        assert_eq!(sessions.unwrap()["total"], 2);
        assert_eq!((reached.clone().unwrap()["total"].clone(), reached.unwrap()["female"].clone()), (json!(36), json!(21)));
        let records: Value = app.api_get(&s, "/api/v1/indicators/people_reached/records").await.json().await.unwrap();
        let sum: i64 = records["items"].as_array().unwrap().iter().map(|r| r["count"].as_i64().unwrap()).sum();
        assert_eq!(sum, 36, "{records}");
        let by_kind: Value = app.api_get(&s, "/api/v1/indicators?by=group_kind").await.json().await.unwrap();
        let groups = by_kind["items"].as_array().unwrap().iter().find(|i| i["code"] == "group_sessions").unwrap()["groups"].clone();
        assert_eq!(groups.as_array().unwrap().len(), 2, "{groups}");

        // Corrected: the father did not come after all. He then leaves the club.
        let fix = json!({"held_on": day(3), "topic": "វិន័យវិជ្ជមាន", "attended": [mother, yay, girl]});
        assert_eq!(app.api_put(&s, &format!("/api/v1/groups/{club}/sessions/{first}"), fix).await.status(), 204);
        let (carers, _, _) = figures(s.clone()).await;
        assert_eq!(carers.unwrap()["total"], 2);
        assert_eq!(app.api_post(&s, &format!("/api/v1/groups/{club}/members/{father}/leave"), json!({})).await.status(), 204);
        let got: Value = app.api_get(&s, &format!("/api/v1/groups/{club}")).await.json().await.unwrap();
        assert_eq!(got["group"]["members"], 3, "{got}");
        let mother_line = got["members"].as_array().unwrap().iter().find(|m| m["id"] == mother.as_str()).unwrap().clone();
        assert_eq!((mother_line["name"].clone(), mother_line["sex"].clone(), mother_line["attended"].clone()), (json!("សុខ ដារ៉ា"), json!("female"), json!(1)));
        assert_eq!(got["sessions"][0]["attended"], 3);

        // A distribution to the club's families: the household of its caregivers and of its
        // girl, once; another organisation's group cannot be used.
        let plan = json!({"name": "School kits", "kind": "school_kit", "given_on": day(0), "items": [{"name": "Kit", "quantity": "1"}]});
        let dist = created(app.api_post(&s, "/api/v1/distributions", plan).await).await;
        let res = app.api_post(&s, &format!("/api/v1/distributions/{dist}/households"), json!({"group": club})).await;
        assert_eq!(res.json::<Value>().await.unwrap()["added"], 1);
        let plan = json!({"name": "Theirs", "kind": "food", "given_on": day(0), "items": [{"name": "Rice", "quantity": "1"}]});
        let their_dist = created(app.api_post(&x, "/api/v1/distributions", plan).await).await;
        assert_eq!(app.api_post(&x, &format!("/api/v1/distributions/{their_dist}/households"), json!({"group": club})).await.status(), 422);
        // The girl's page names the club she is in.
        let (worker_page, _) = app.login("worker").await;
        let child_page = worker_page.get(app.url(&format!("/children/{child}"))).send().await.unwrap().text().await.unwrap();
        assert!(child_page.contains("ក្លឹបឪពុកម្តាយ ភូមិ ១"), "the child's page lists her groups");

        // Changing the group on an old version is refused; on the current one it is kept.
        let change = |version: i64| json!({"version": version, "group": {"name": "ក្លឹបឪពុកម្តាយ ភូមិ ២", "kind": "parenting_club", "village_code": "02020101"}});
        let version = got["group"]["version"].as_i64().unwrap();
        assert_eq!(app.api_put(&s, &format!("/api/v1/groups/{club}"), change(version)).await.status(), 204);
        assert_eq!(app.api_put(&s, &format!("/api/v1/groups/{club}"), change(version)).await.status(), 409);

        // Another organisation: not found, nothing listed, nothing counted; the administrator is refused.
        assert_eq!(app.api_get(&x, &format!("/api/v1/groups/{club}")).await.status(), 404);
        assert_eq!(app.api_post(&x, &format!("/api/v1/groups/{club}/members"), json!({"child_id": theirs})).await.status(), 404);
        let listed: Value = app.api_get(&x, "/api/v1/groups").await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 0);
        let a = app.token(&app.admin).await;
        assert_eq!(app.api_get(&a, "/api/v1/groups").await.status(), 403);

        // The worker reads the club; a child she may not open is there without a name.
        let own = created(app.api_post(&s, "/api/v1/children", child_json("សុភា", "Sophea")).await).await;
        created(app.api_post(&s, &format!("/api/v1/groups/{club}/members"), json!({"child_id": own})).await).await;
        let seen: Value = app.api_get(&w, &format!("/api/v1/groups/{club}")).await.json().await.unwrap();
        let hidden: Vec<&Value> = seen["members"].as_array().unwrap().iter().filter(|m| m["role"] == "child" && m["name"].is_null()).collect();
        assert_eq!(hidden.len(), 1, "{seen}");
        assert!(hidden[0]["child_id"].is_null() && hidden[0]["sex"].is_null() && hidden[0]["age_group"].is_null(), "{seen}");
        assert!(!seen.to_string().contains("សុភា"), "{seen}");

        // The girl leaves and comes back: the same member, with the session she came to.
        assert_eq!(app.api_post(&s, &format!("/api/v1/groups/{club}/members/{girl}/leave"), json!({})).await.status(), 204);
        let back = created(app.api_post(&s, &format!("/api/v1/groups/{club}/members"), json!({"child_id": child})).await).await;
        assert_eq!(back, girl);

        // The pages, in Khmer: the list, the group with its members, and a named person refused
        // without a sex, the form kept.
        let (page, csrf) = app.login("supervisor").await;
        let list = page.get(app.url("/groups")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("ក្លឹបឪពុកម្តាយ ភូមិ ២"), "the list");
        let shown = page.get(app.url(&format!("/groups/{club}"))).send().await.unwrap().text().await.unwrap();
        assert!(shown.contains("យាយ ស៊ីណា") && shown.contains("វិន័យវិជ្ជមាន"), "members and sessions");
        let found = page.get(app.url(&format!("/groups/{club}?q=ដារ៉ា"))).send().await.unwrap().text().await.unwrap();
        assert!(found.contains(&format!("value=\"{}\"", people[0])), "the household's person is found by name");
        let form = [("_csrf", csrf.as_str()), ("name", "Bopha"), ("sex", ""), ("age_group", "18_24"), ("role", "community")];
        let res = page.post(app.url(&format!("/groups/{club}/members"))).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("value=\"Bopha\""), "what was typed stays");
        let form = [("_csrf", csrf.as_str()), ("name", "Bopha"), ("sex", "female"), ("age_group", "18_24"), ("role", "community")];
        assert_eq!(page.post(app.url(&format!("/groups/{club}/members"))).form(&form).send().await.unwrap().status(), 303);
        // Ticked together, a child of another organisation spoils the whole addition.
        let before: Value = app.api_get(&s, &format!("/api/v1/groups/{club}")).await.json().await.unwrap();
        let ticked = [("_csrf", csrf.as_str()), ("household_member_id", people[1].as_str()), ("child_id", theirs.as_str())];
        assert_eq!(page.post(app.url(&format!("/groups/{club}/members"))).form(&ticked).send().await.unwrap().status(), 422);
        let after: Value = app.api_get(&s, &format!("/api/v1/groups/{club}")).await.json().await.unwrap();
        assert_eq!(before["group"]["members"], after["group"]["members"], "nothing was kept");
        let session = page.get(app.url(&format!("/groups/{club}/sessions/new"))).send().await.unwrap().text().await.unwrap();
        assert!(session.contains("Bopha") && !session.contains("ចាន់ វិបុល"), "who may come: present members only");
    })
    .await;
}
