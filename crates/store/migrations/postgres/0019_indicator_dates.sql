-- Indicators select records by the date that places them in a period (krousar_store::indicators):
-- these let a quarter's events be read without scanning every event ever recorded.
CREATE INDEX case_entries_kind_date ON case_entries (kind, occurred_on);
CREATE INDEX follow_up_done ON follow_up_visits (done_on);
CREATE INDEX follow_up_due ON follow_up_visits (due_on);
CREATE INDEX cases_closed ON cases (closed_on);
CREATE INDEX referrals_sent ON referrals (sent_at);
CREATE INDEX residence_entered ON residence_periods (entered);
CREATE INDEX cash_payments_paid ON cash_payments (paid_on);
