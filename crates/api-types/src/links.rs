//! Links into the vendors' own web applications.

use seatsync_domain::{CompanyId, ContractId, TenantId};

/// A customer's subscriptions in Partner Center.
pub fn partner_center_tenant(tenant_id: &TenantId) -> String {
    format!("https://partner.microsoft.com/dashboard/v2/customers/{tenant_id}/subscriptions")
}

/// A company in Autotask, from the zone's web address (`https://ww5.autotask.net/`).
pub fn autotask_company(web_url: &str, company_id: CompanyId) -> String {
    format!(
        "{}/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenAccount&AccountID={company_id}",
        web_url.trim_end_matches('/')
    )
}

/// A contract in Autotask.
pub fn autotask_contract(web_url: &str, contract_id: ContractId) -> String {
    format!(
        "{}/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenContract&ContractID={contract_id}",
        web_url.trim_end_matches('/')
    )
}
