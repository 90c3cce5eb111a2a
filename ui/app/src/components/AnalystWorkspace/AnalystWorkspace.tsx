// AnalystWorkspace: the analyst's page, reports first, then the customers
// as the API masks them for the role.
import { ReportExplorer } from "./ReportExplorer";
import { MaskedCustomers } from "./MaskedCustomers";

export function AnalystWorkspace() {
  return (
    <div class="stack analyst">
      <ReportExplorer />
      <MaskedCustomers />
    </div>
  );
}
