-- Pax8 companies join the billing tools' customers: a company that buys no Microsoft product
-- through Pax8 has no tenant to place it, so a person places it in a PSA company on its page.
ALTER TABLE billing_tool_customers DROP CONSTRAINT billing_tool_customers_tool_check;
ALTER TABLE billing_tool_customers ADD CONSTRAINT billing_tool_customers_tool_check
    CHECK (tool IN ('pax8', 'datto_rmm', 'ninjaone', 'automate', 'huntress', 'sentinelone', 'duo', 'auvik'));
ALTER TABLE billing_tool_customer_history DROP CONSTRAINT billing_tool_customer_history_tool_check;
ALTER TABLE billing_tool_customer_history ADD CONSTRAINT billing_tool_customer_history_tool_check
    CHECK (tool IN ('pax8', 'datto_rmm', 'ninjaone', 'automate', 'huntress', 'sentinelone', 'duo', 'auvik'));
