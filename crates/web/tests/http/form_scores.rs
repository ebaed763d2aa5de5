//! Scored questions on an organisation's own forms (issue 25): a score per choice, totals by
//! section and in all on each answer, compared over time on the case as the CSI is; and a
//! tool written as lines moved onto the builder (its domains as sections, its scale scored),
//! the tool retired and its past assessments left as they were.

use crate::app::{child_json, each_db};
use serde_json::{json, Value};

#[tokio::test]
async fn a_scored_form_adds_up_by_section_and_is_compared_over_time() {
    each_db(|app| async move {
        let (a, csrf) = app.login("admin").await;
        let def = "1 | មិនដែល | Never\n3 | ជានិច្ច | Always\n---\nគ្រួសារ | Family | ឪពុកម្តាយនិយាយជាមួយកុមារ | The parents talk with the child\nសាលា | School | កុមារទៅរៀន | The child goes to school";
        let tool = [("_csrf", csrf.as_str()), ("name_km", "ពិនិត្យផ្ទះ"), ("name_en", "Home check"), ("definition", def)];
        assert_eq!(a.post(app.url("/admin/tools")).form(&tool).send().await.unwrap().status(), 303);
        let tool = app.store.tools(app.worker.org_id, true).await.unwrap().remove(0);
        // A worker may not move it; the administrator does, once.
        let (web, wcsrf) = app.login("worker").await;
        let move_it = format!("/admin/tools/{}/form", tool.id);
        assert_eq!(web.post(app.url(&move_it)).form(&[("_csrf", wcsrf.as_str())]).send().await.unwrap().status(), 403);
        let res = a.post(app.url(&move_it)).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let form_path = res.headers()["location"].to_str().unwrap().to_string();
        let form = form_path.trim_start_matches("/admin/forms/").to_string();
        assert!(!app.store.tool(tool.id).await.unwrap().active, "the tool is retired");
        assert_eq!(a.post(app.url(&move_it)).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().status(), 422, "moved once");
        let builder = a.get(app.url(&form_path)).send().await.unwrap().text().await.unwrap();
        assert!(builder.contains("Family") && builder.contains("School") && builder.contains("version 1"), "{builder}");
        // A score for every choice, or none.
        let field = [("_csrf", csrf.as_str()), ("kind", "one_choice"), ("label_km", "សុខភាព"), ("choices_km", "ល្អ\nខ្សោយ"), ("scores", "2")];
        let res = a.post(app.url(&format!("{form_path}/fields"))).form(&field).send().await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Give a whole number"));

        let w = app.token(&app.worker).await;
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today();
        let before = (today - chrono::Duration::days(30)).to_string();
        let open = json!({"route": "report", "referral_source": "police", "opened_on": before});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
        let case = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(case.contains(&format!("/case/custom/{form}")), "offered on the case: {case}");
        assert!(!case.contains(&format!("/case/tool/{}", tool.id)), "the tool is not");
        let fill = format!("/children/{id}/case/custom/{form}");
        for (on, family, school) in [(before.as_str(), "c1", "c1"), (&today.to_string(), "c2", "c1")] {
            let res = web
                .post(app.url(&fill))
                .form(&[("_csrf", wcsrf.as_str()), ("answered_on", on), ("f2", family), ("f4", school)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303);
        }
        let case = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(case.contains("Total score: 4 (Family 3 · School 1)"), "each answer adds up: {case}");
        assert!(case.contains("id=\"scores\"") && case.contains("<strong>4</strong>") && case.contains("+2 since"), "over time: {case}");
        let file: Value = app.api_get(&w, &format!("/api/v1/children/{id}/case")).await.json().await.unwrap();
        assert!(file.to_string().contains("\"score\":3"), "the scores kept with the answers: {file}");
        let (sup, _) = app.login("supervisor").await;
        // The report: the latest total of each child, averaged (one child: 4).
        let report = sup.get(app.url(&format!("/admin/forms/{form}/report"))).send().await.unwrap().text().await.unwrap();
        assert!(report.contains("Average total score</th><td class=\"figure\">4.0</td>"), "{report}");
        let csv = sup.get(app.url(&format!("/admin/forms/{form}/answers?format=csv"))).send().await.unwrap().text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].ends_with(",Total") && lines[1].ends_with(",2") && lines[2].ends_with(",4"), "{csv}");
    })
    .await;
}
