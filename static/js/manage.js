// The manage page of a session: its irreversible forms (ending the session, removing a
// member, publishing the transcript) ask in the page's dialog before they are sent
// (confirm.js). Without script the server asks on a confirmation page instead.

import { confirmForms } from "./confirm.js";

confirmForms();
