-- Government cash support for children leaving residential care for a family: the child's
-- application, decision and payments (krousar_domain::cash::CashSupport as JSON), and each payment
-- as a row for the totals by province and month.
CREATE TABLE cash_support (
    child_id TEXT PRIMARY KEY REFERENCES children(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cash_support_org ON cash_support (org_id);

CREATE TABLE cash_payments (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    province_code TEXT,
    paid_on TEXT NOT NULL,
    amount_riel BIGINT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    status TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX cash_payments_org ON cash_payments (org_id, paid_on);
CREATE INDEX cash_payments_province ON cash_payments (province_code, paid_on);
