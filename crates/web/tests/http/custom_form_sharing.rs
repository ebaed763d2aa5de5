//! Forms between organisations (issue 25): the ministry shares a national template and an NGO
//! adopts it; a definition travels as a file (a damaged or hostile one is refused with a
//! message, nothing kept); answers are split by a one-choice question and downloaded as a
//! workbook by those who list the children, never by another organisation or an administrator.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::choices::OrgKind;
use krousar_domain::forms::definition::FieldInput;
use krousar_domain::forms::FormDef;
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

fn one_choice(km: &str, en: &str, choices_km: &str, choices_en: &str) -> FieldInput {
    FieldInput {
        kind: Some("one_choice".into()),
        label_km: Some(km.into()),
        label_en: Some(en.into()),
        choices_km: Some(choices_km.into()),
        choices_en: Some(choices_en.into()),
        ..Default::default()
    }
}

async fn upload(c: &reqwest::Client, app: &TestApp, csrf: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("form.json").mime_str("application/json").unwrap());
    c.post(app.url("/admin/forms/import")).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn a_national_template_is_adopted_and_a_form_travels_as_a_file() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let ministry = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        let madmin = app.store.create_user(Who::system(), ministry.id, None, "madmin", "M", Role::OrgAdmin, &hash, "km").await.unwrap();
        let m = madmin.actor();
        let template =
            app.store.create_custom_form(&m, FormDef::named(Some("ការតាមដានជាតិ"), Some("National follow-up")).unwrap()).await.unwrap();
        app.store
            .edit_custom_form(&m, template, "add", |d| {
                d.add_field(&one_choice("នៅសាលា", "In school", "បាទ/ចាស\nទេ", "Yes\nNo")).map(|_| ())
            })
            .await
            .unwrap();
        let (mc, mcsrf) = app.login("madmin").await;
        // A draft is not shared: publish first.
        let res = mc
            .post(app.url(&format!("/admin/forms/{template}/share")))
            .form(&[("_csrf", mcsrf.as_str()), ("shared", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let (a, csrf) = app.login("admin").await;
        assert_eq!(a.get(app.url(&format!("/admin/shared-forms/{template}"))).send().await.unwrap().status(), 404, "not shared: not found");
        app.store.publish_custom_form(&m, template).await.unwrap();
        let res = mc
            .post(app.url(&format!("/admin/forms/{template}/share")))
            .form(&[("_csrf", mcsrf.as_str()), ("shared", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        // An NGO administrator sees it as a national template and adopts it.
        let list = a.get(app.url("/admin/forms")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("National follow-up") && list.contains("National template (ministry)"), "{list}");
        let shown = a.get(app.url(&format!("/admin/shared-forms/{template}"))).send().await.unwrap().text().await.unwrap();
        assert!(shown.contains("In school") && shown.contains("disabled"), "a preview: {shown}");
        let res = a.post(app.url(&format!("/admin/shared-forms/{template}/adopt"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let adopted = res.headers()["location"].to_str().unwrap().trim_start_matches("/admin/forms/").to_string();
        let copy = app.store.custom_form(&app.admin.actor(), adopted.parse().unwrap()).await.unwrap();
        assert_eq!(copy.draft.fields[0].code, "f1", "the template's codes are kept");
        assert_eq!(copy.adopted_from, Some(template));
        assert_eq!(copy.current_version, 0, "a draft to check and publish");
        let list = a.get(app.url("/admin/forms")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("your organisation already adopted it"), "{list}");
        // Workers, and another organisation's workers, cannot look at shared forms.
        let (w, _) = app.login("worker").await;
        assert_eq!(w.get(app.url(&format!("/admin/shared-forms/{template}"))).send().await.unwrap().status(), 403);
        // Stopping sharing hides the template; the copy stays.
        let res = mc
            .post(app.url(&format!("/admin/forms/{template}/share")))
            .form(&[("_csrf", mcsrf.as_str()), ("shared", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(a.get(app.url(&format!("/admin/shared-forms/{template}"))).send().await.unwrap().status(), 404);
        assert!(app.store.custom_form(&app.admin.actor(), adopted.parse().unwrap()).await.is_ok());
        // Nobody shares another organisation's form.
        let res = a
            .post(app.url(&format!("/admin/forms/{template}/share")))
            .form(&[("_csrf", csrf.as_str()), ("shared", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);

        // The definition as a file, imported back: the same form, as a new draft.
        let file = a.get(app.url(&format!("/admin/forms/{adopted}/definition"))).send().await.unwrap();
        assert_eq!(file.status(), 200);
        assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let bytes = file.bytes().await.unwrap().to_vec();
        let res = upload(&a, &app, &csrf, bytes.clone()).await;
        assert_eq!(res.status(), 303);
        let imported = res.headers()["location"].to_str().unwrap().trim_start_matches("/admin/forms/").to_string();
        let back = app.store.custom_form(&app.admin.actor(), imported.parse().unwrap()).await.unwrap();
        assert_eq!(back.draft, copy.draft);
        // A damaged or hostile file says why, in the reader's language, and keeps nothing.
        let before = app.store.custom_forms(app.worker.org_id, false).await.unwrap().len();
        let hostile = String::from_utf8(bytes).unwrap().replace("\"f1\"", "\"f1<script>\"");
        for bad in [b"{\"format\":\"krousar-form\"".to_vec(), hostile.into_bytes(), vec![0xff; 64]] {
            let res = upload(&a, &app, &csrf, bad).await;
            assert_eq!(res.status(), 422);
            let page = res.text().await.unwrap();
            assert!(page.contains("not a Krousar form file") && page.contains("form-file-err"), "{page}");
        }
        let (mk, mkcsrf) = app.login("madmin").await;
        let res = upload(&mk, &app, &mkcsrf, b"[]".to_vec()).await;
        assert!(res.text().await.unwrap().contains("នេះមិនមែនជាឯកសារទម្រង់ Krousar ទេ"), "in Khmer for a Khmer reader");
        assert_eq!(app.store.custom_forms(app.worker.org_id, false).await.unwrap().len(), before);
        // Another organisation's definition is not found; a worker may not import.
        let (s, _) = app.login("stranger").await;
        assert_eq!(s.get(app.url(&format!("/admin/forms/{adopted}/definition"))).send().await.unwrap().status(), 403);
        let (w, wcsrf) = app.login("worker").await;
        assert_eq!(upload(&w, &app, &wcsrf, b"{}".to_vec()).await.status(), 403);
    })
    .await;
}

#[tokio::test]
async fn answers_are_split_by_a_choice_and_downloaded_by_those_who_list_the_children() {
    each_db(|app| async move {
        let admin = app.admin.actor();
        let form = app.store.create_custom_form(&admin, FormDef::named(Some("ផ្ទះ"), Some("Home")).unwrap()).await.unwrap();
        app.store
            .edit_custom_form(&admin, form, "add", |d| {
                d.add_field(&one_choice("ទឹក", "Water", "មាន\nគ្មាន", "Yes\nNo"))?;
                d.add_field(&one_choice("ភ្លើង", "Power", "មាន\nគ្មាន", "On\nOff"))?;
                d.add_field(&FieldInput {
                    kind: Some("text".into()), label_km: Some("កំណត់ចំណាំ".into()), ..Default::default()
                })
                .map(|_| ())
            })
            .await
            .unwrap();
        app.store.publish_custom_form(&admin, form).await.unwrap();
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today().to_string();
        // Three girls: water yes + power on, water yes + power off, water no + power off.
        for (name, water, power, note) in [("ក", "c1", "c1", "=HYPERLINK(\"x\")"), ("ខ", "c1", "c2", "ok"), ("គ", "c2", "c2", "")] {
            let c: Value = app.api_post(&w, "/api/v1/children", child_json(name, "Dara")).await.json().await.unwrap();
            let id = c["id"].as_str().unwrap().to_string();
            let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
            assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
            let body = json!({"answered_on": today, "answers": {"f1": water, "f2": power, "f3": note}});
            assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/custom/{form}"), body).await.status(), 200);
        }
        let (sup, _) = app.login("supervisor").await;
        let report = sup.get(app.url(&format!("/admin/forms/{form}/report?by=f1"))).send().await.unwrap().text().await.unwrap();
        // Power split by water: "On" is 1 under Yes, 0 under No, 1 in all.
        let on = &report[report.find("<th scope=\"row\">On</th>").expect("a row for On")..];
        let cells: Vec<&str> = on.split("<td class=\"figure\">").skip(1).take(3).map(figure_text).collect();
        assert_eq!(cells, ["1 (1F)", "0 (0F)", "1 (1F)"], "{report}");
        // Every count links to the records it counts, as many as the count says.
        let cells: Vec<&str> = report.split("<td class=\"figure\">").skip(1).collect();
        assert!(cells.len() >= 9, "{report}");
        for c in cells {
            let href = c
                .strip_prefix("<a href=\"")
                .map(|h| h[..h.find('"').unwrap()].replace("&amp;", "&").replace("&#38;", "&"))
                .expect("a link");
            let n: usize = figure_text(c).split(' ').next().unwrap().parse().unwrap();
            let listed = sup.get(app.url(&href)).send().await.unwrap().text().await.unwrap();
            assert_eq!(listed.matches("<li><a href=\"/children/").count(), n, "{href}: {listed}");
        }
        let girl = "/admin/forms/{form}/report/records?q=f2&v=c1&by=f1&bv=c1".replace("{form}", &form.to_string());
        let listed = sup.get(app.url(&girl)).send().await.unwrap().text().await.unwrap();
        assert!(listed.contains("Power: On · Water: Yes"), "the cell in words: {listed}");
        // Who only counts (the administrator) or another organisation lists nothing.
        let (a, _) = app.login("admin").await;
        assert_eq!(a.get(app.url(&girl)).send().await.unwrap().status(), 403);
        let (s, _) = app.login("stranger").await;
        assert!(matches!(s.get(app.url(&girl)).send().await.unwrap().status().as_u16(), 403 | 404));
        assert!(report.contains("<th scope=\"col\">Yes</th>"), "{report}");
        // A breakdown by something that is not a one-choice question is ignored, not an error.
        let plain = sup.get(app.url(&format!("/admin/forms/{form}/report?by=f3"))).send().await.unwrap();
        assert_eq!(plain.status(), 200);
        assert!(!plain.text().await.unwrap().contains("scope=\"col\""));
        // The supervisor downloads the answers: a column per question, cells inert.
        let csv = sup.get(app.url(&format!("/admin/forms/{form}/answers?format=csv"))).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        let text = csv.text().await.unwrap();
        assert!(text.contains("Water") && text.contains("Power") && text.contains("'=HYPERLINK"), "{text}");
        assert_eq!(text.lines().count(), 4, "a heading and three answers: {text}");
        let xlsx = sup.get(app.url(&format!("/admin/forms/{form}/answers?format=xlsx"))).send().await.unwrap();
        assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
        let audited = sqlx::query("SELECT action FROM audit_log WHERE action = 'custom_form.export' AND record_id = $1")
            .bind(form.to_string())
            .fetch_all(app.store.pool())
            .await
            .unwrap();
        assert_eq!(audited.len(), 2, "each download audited");
        // An administrator counts but never reads the answers; another organisation finds nothing.
        let (a, _) = app.login("admin").await;
        assert_eq!(a.get(app.url(&format!("/admin/forms/{form}/answers"))).send().await.unwrap().status(), 403);
        let (s, _) = app.login("stranger").await;
        assert!(matches!(s.get(app.url(&format!("/admin/forms/{form}/answers"))).send().await.unwrap().status().as_u16(), 403 | 404));
    })
    .await;
}

/// The same over the API: share, list, adopt, a definition out and in, and the answers.
#[tokio::test]
async fn forms_travel_through_the_api() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let ministry = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        let madmin = app.store.create_user(Who::system(), ministry.id, None, "madmin", "M", Role::OrgAdmin, &hash, "en").await.unwrap();
        let m = madmin.actor();
        let template = app.store.create_custom_form(&m, FormDef::named(Some("ជាតិ"), Some("National")).unwrap()).await.unwrap();
        app.store
            .edit_custom_form(&m, template, "add", |d| d.add_field(&one_choice("សាលា", "School", "បាទ\nទេ", "Yes\nNo")).map(|_| ()))
            .await
            .unwrap();
        app.store.publish_custom_form(&m, template).await.unwrap();
        let mt = app.token(&madmin).await;
        let put = |token: String, body: Value| {
            let url = app.url(&format!("/api/v1/forms/{template}/shared"));
            async move { crate::app::client().put(url).bearer_auth(token).json(&body).send().await.unwrap() }
        };
        assert_eq!(put(mt.clone(), json!({"shared": "yes"})).await.status(), 400, "a bad body is refused");
        assert_eq!(put(mt.clone(), json!({"shared": true})).await.status(), 204);
        let at = app.token(&app.admin).await;
        assert_eq!(put(at.clone(), json!({"shared": false})).await.status(), 404, "not the reader's form");
        let listed: Value = app.api_get(&at, "/api/v1/forms/shared").await.json().await.unwrap();
        assert_eq!(listed["items"][0]["national"], true, "{listed}");
        assert_eq!(listed["items"][0]["definition"]["fields"][0]["label_en"], "School");
        let res = app.api_post(&at, &format!("/api/v1/forms/shared/{template}/adopt"), json!({})).await;
        assert_eq!(res.status(), 201);
        let adopted: Value = res.json().await.unwrap();
        let adopted = adopted["id"].as_str().unwrap().to_string();
        let file = app.api_get(&at, &format!("/api/v1/forms/{adopted}/definition")).await;
        assert_eq!(file.status(), 200);
        let file: Value = file.json().await.unwrap();
        assert_eq!(file["format"], "krousar-form");
        assert_eq!(app.api_post(&at, "/api/v1/forms/import", file.clone()).await.status(), 201);
        let mut bad = file.clone();
        bad["form"]["fields"][0]["choices"] = json!([]);
        let res = app.api_post(&at, "/api/v1/forms/import", bad).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("choices_km"));
        let w = app.token(&app.worker).await;
        assert_eq!(app.api_post(&w, "/api/v1/forms/import", file).await.status(), 403);
        assert_eq!(app.api_get(&w, "/api/v1/forms/shared").await.status(), 403);
        assert_eq!(app.api_get(&w, &format!("/api/v1/forms/{adopted}/definition")).await.status(), 403);

        // The adopted form published and answered: the answers for the supervisor, not the
        // administrator, nor the ministry that made the template.
        app.store.publish_custom_form(&app.admin.actor(), adopted.parse().unwrap()).await.unwrap();
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today().to_string();
        let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
        let body = json!({"answered_on": today, "answers": {"f1": "c1"}});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/custom/{adopted}"), body).await.status(), 200);
        let s = app.token(&app.supervisor).await;
        let rows: Value = app.api_get(&s, &format!("/api/v1/forms/{adopted}/answers")).await.json().await.unwrap();
        assert_eq!(rows["items"].as_array().unwrap().len(), 1, "{rows}");
        assert_eq!(rows["items"][0]["answers"]["answers"][0]["shown_en"], "Yes");
        assert_eq!(app.api_get(&s, &format!("/api/v1/forms/{adopted}/answers?from=soon")).await.status(), 422);
        assert_eq!(app.api_get(&at, &format!("/api/v1/forms/{adopted}/answers")).await.status(), 403);
        assert_eq!(app.api_get(&mt, &format!("/api/v1/forms/{adopted}/answers")).await.status(), 404);
        assert_eq!(app.api_get(&mt, &format!("/api/v1/forms/{template}/answers")).await.status(), 403, "the ministry reads no answers");
    })
    .await;
}

/// A report cell's figure, with or without its link.
fn figure_text(cell: &str) -> &str {
    let c = cell.strip_prefix("<a href=\"").map(|c| &c[c.find('>').unwrap() + 1..]).unwrap_or(cell);
    &c[..c.find('<').unwrap()]
}
