// Every call the pages make to the service's JSON API, one named function each, so a path lives in one
// place: tests/foundation/test_static_api_paths.py reads each `call(METHOD, path)` here and fails when
// the route table (assistant/routes/) has no such route with that method, and when any other static
// file spells an API path. `params` is a query: an object, a URLSearchParams or a query string.
// `options` go to `call`: `headers` (an Idempotency-Key), `nullOn404`, `keepalive`.

/** The agent's token: `?token=` of the page, else the page's `data-token` (the demo console). */
export const token = new URLSearchParams(location.search).get("token") || document.body.dataset.token || "";

/** An API error: `status`, `message` (the API's `error`) and `errors` ([{field, message}]). */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.errors = (body && body.errors) || [];
    this.body = body || {};
  }
}

/** JSON in, JSON out; a body that is not JSON (a file) gives the Response. 404 gives null when
 *  `options.nullOn404`; any other failure throws ApiError. */
async function call(method, path, options = {}) {
  const { nullOn404, ...init } = options;
  const headers = { Authorization: `Bearer ${token}`, ...(init.headers || {}) };
  if (init.body !== undefined && !(init.body instanceof FormData) && typeof init.body !== "string") {
    init.body = JSON.stringify(init.body);
  }
  if (typeof init.body === "string") headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...init, method, headers });
  if (response.status === 404 && nullOn404) return null;
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body ?? response;
}

/** An event stream (EventSource cannot send a header: the token goes in the query). Always a GET; the
 *  method is written out for the drift test, as in `call`. */
function stream(_method, path) {
  return new EventSource(path);
}

const qs = (params) => new URLSearchParams(params ?? "").toString();
const post = (body, options = {}) => ({ ...options, body });

// ---- the agent, usage ----
export const me = () => call("GET", "/api/me");
export const recordUse = (body) => call("POST", "/api/usage", { body, keepalive: true });

// ---- conversation events ----
export const postEvent = (event, options = {}) => call("POST", "/api/events", post(event, options));
export const eventStream = () => stream("GET", `/api/events/stream?token=${encodeURIComponent(token)}`);

// ---- sidebar: suggestions, scripts, item knowledge and answers ----
export const suggest = (body, options = {}) => call("POST", "/api/suggest", post(body, options));
export const scripts = (params, options = {}) => call("GET", `/api/kb/scripts?${qs(params)}`, options);
export const itemAnswers = (itemId, params, options = {}) =>
  call("GET", `/api/kb/items/${itemId}/answers?${qs(params)}`, options);

// ---- buyers and orders ----
export const buyer = (nick, params, options = {}) =>
  call("GET", `/api/buyers/${encodeURIComponent(nick)}?${qs(params)}`, options);
export const order = (orderId, options = {}) => call("GET", `/api/orders/${orderId}`, options);
export const orderTracking = (orderId, options = {}) =>
  call("GET", `/api/orders/${orderId}/tracking`, options);
export const orderAddress = (orderId, options = {}) => call("GET", `/api/orders/${orderId}/address`, options);
/** The order edits, by kind (the order panel's `change.path`). */
export const ORDER_EDITS = {
  price: (orderId, options) => call("POST", `/api/orders/${orderId}/price`, options),
  postage: (orderId, options) => call("POST", `/api/orders/${orderId}/postage`, options),
  address: (orderId, options) => call("POST", `/api/orders/${orderId}/address`, options),
  remark: (orderId, options) => call("POST", `/api/orders/${orderId}/remark`, options),
};
export const editOrder = (orderId, kind, body, options = {}) =>
  ORDER_EDITS[kind](orderId, post(body, options));
export const undoOrderEdit = (orderId, body, options = {}) =>
  call("POST", `/api/orders/${orderId}/undo`, post(body, options));
export const approvals = (params, options = {}) => call("GET", `/api/approvals?${qs(params)}`, options);
export const parseAddress = (text, options = {}) =>
  call("POST", "/api/address/parse", post({ text }, options));
export const outbox = (options = {}) => call("GET", "/api/outbox", options);
export const retryEdit = (editId, options = {}) =>
  call("POST", `/api/outbox/${editId}/retry`, post({}, options));
export const undoEditLocally = (editId, options = {}) =>
  call("POST", `/api/outbox/${editId}/undo`, post({}, options));

// ---- quick replies ----
export const searchQuickReplies = (params) => call("GET", `/api/quick-replies/search?${qs(params)}`);
export const quickReplies = (params) => call("GET", `/api/quick-replies?${qs(params)}`);
export const createQuickReply = (body) => call("POST", "/api/quick-replies", { body });
export const updateQuickReply = (id, body) => call("PUT", `/api/quick-replies/${id}`, { body });
export const deleteQuickReply = (id, version) =>
  call("DELETE", `/api/quick-replies/${id}?${qs({ version })}`);
export const quickReplyRevisions = (id) => call("GET", `/api/quick-replies/${id}/revisions`);
export const rollbackQuickReply = (id, body) => call("POST", `/api/quick-replies/${id}/rollback`, { body });
/** The shop's phrases as a file (the Response). */
export const exportQuickReplies = (params) => call("GET", `/api/quick-replies/export?${qs(params)}`);
export const importQuickReplies = (params, form) =>
  call("POST", `/api/quick-replies/import?${qs(params)}`, { body: form });
export const quickReplyUsage = (params) => call("GET", `/api/quick-replies/usage-report?${qs(params)}`);
export const quickReplyGroups = (params) => call("GET", `/api/quick-reply-groups?${qs(params)}`);
export const createQuickReplyGroup = (body) => call("POST", "/api/quick-reply-groups", { body });
export const orderQuickReplyGroup = (groupId, body) =>
  call("PUT", `/api/quick-reply-groups/${groupId}/order`, { body });

// ---- the knowledge base ----
export const preview = (body) => call("POST", "/api/kb/preview", { body });
export const sample = (name) => call("GET", `/api/kb/samples/${name}`);
export const items = (params) => call("GET", `/api/kb/items?${qs(params)}`);
export const relatedItems = (itemId, params) => call("GET", `/api/items/${itemId}/related?${qs(params)}`);
export const itemKnowledge = (itemId, options = {}) =>
  call("GET", `/api/kb/items/${itemId}/knowledge`, options);
export const saveItemKnowledge = (itemId, body) => call("PUT", `/api/kb/items/${itemId}/knowledge`, { body });
export const itemKnowledgeRevisions = (itemId) => call("GET", `/api/kb/items/${itemId}/revisions`);
export const rollbackItemKnowledge = (itemId, body) =>
  call("POST", `/api/kb/items/${itemId}/rollback`, { body });
export const intents = (params) => call("GET", `/api/kb/intents?${qs(params)}`);
export const intent = (id, options = {}) => call("GET", `/api/kb/intents/${id}`, options);
export const createIntent = (body) => call("POST", "/api/kb/intents", { body });
export const updateIntent = (id, body) => call("PUT", `/api/kb/intents/${id}`, { body });
export const deleteIntent = (id, version) => call("DELETE", `/api/kb/intents/${id}?${qs({ version })}`);
export const intentRevisions = (id) => call("GET", `/api/kb/intents/${id}/revisions`);
export const rollbackIntent = (id, body) => call("POST", `/api/kb/intents/${id}/rollback`, { body });
export const campaigns = (params) => call("GET", `/api/kb/campaigns?${qs(params)}`);
export const createCampaign = (body) => call("POST", "/api/kb/campaigns", { body });
export const updateCampaign = (id, body) => call("PUT", `/api/kb/campaigns/${id}`, { body });
export const deleteCampaign = (id, version) => call("DELETE", `/api/kb/campaigns/${id}?${qs({ version })}`);
export const campaignRevisions = (id) => call("GET", `/api/kb/campaigns/${id}/revisions`);
export const rollbackCampaign = (id, body) => call("POST", `/api/kb/campaigns/${id}/rollback`, { body });
export const synonyms = (params) => call("GET", `/api/kb/synonyms?${qs(params)}`);
export const createSynonym = (body) => call("POST", "/api/kb/synonyms", { body });
export const updateSynonym = (id, body) => call("PUT", `/api/kb/synonyms/${id}`, { body });
export const deleteSynonym = (id, version) => call("DELETE", `/api/kb/synonyms/${id}?${qs({ version })}`);
export const synonymRevisions = (id) => call("GET", `/api/kb/synonyms/${id}/revisions`);
export const rollbackSynonym = (id, body) => call("POST", `/api/kb/synonyms/${id}/rollback`, { body });
export const unmatched = (params) => call("GET", `/api/kb/unmatched?${qs(params)}`);
export const dismissUnmatched = (id, options = {}) => call("DELETE", `/api/kb/unmatched/${id}`, options);

// ---- shop import ----
export const startShopImport = (kind, params, form) =>
  call("POST", `/api/shop-import/${kind}?${qs(params)}`, { body: form });
export const shopImportJob = (jobId) => call("GET", `/api/shop-import/jobs/${jobId}`);
export const applyShopImport = (jobId, params) =>
  call("POST", `/api/shop-import/jobs/${jobId}/apply?${qs(params)}`);

// ---- the order review ----
export const reviewOrders = (params) => call("GET", `/api/review/orders?${qs(params)}`);
export const reviewCount = () => call("GET", "/api/review/count");
export const markReviewed = (orderId, body) =>
  call("POST", `/api/review/orders/${orderId}/reviewed`, { body });
export const holdOrder = (orderId, body) => call("POST", `/api/review/orders/${orderId}/hold`, { body });
export const releaseOrder = (orderId) => call("POST", `/api/review/orders/${orderId}/release`, { body: {} });
export const orderHold = (orderId) => call("GET", `/api/review/orders/${orderId}/hold`);
export const reviewScript = (orderId) => call("GET", `/api/review/orders/${orderId}/script`);

// ---- the refund review ----
export const refunds = (params) => call("GET", `/api/refunds?${qs(params)}`);
export const decideRefund = (requestId, body) => call("POST", `/api/refunds/${requestId}/decision`, { body });
export const markRefundWrong = (requestId, body) => call("POST", `/api/refunds/${requestId}/wrong`, { body });

// ---- the response watch ----
export const watch = () => call("GET", "/api/watch");
export const teamStream = () => stream("GET", `/api/watch/team/stream?token=${encodeURIComponent(token)}`);
export const claimConversation = (body) => call("POST", "/api/watch/claims", { body });
export const setPresence = (body) => call("POST", "/api/presence", { body });
export const emergency = (params) => call("GET", `/api/emergency?${qs(params)}`);
export const setEmergency = (body) => call("POST", "/api/emergency", { body });
export const autoReply = (params) => call("GET", `/api/auto-reply?${qs(params)}`);

// ---- payment reminders, care, courier jams ----
export const reminders = () => call("GET", "/api/reminders");
export const buyerReminders = (params) => call("GET", `/api/reminders/buyer?${qs(params)}`);
export const reminderEffect = (params) => call("GET", `/api/reminders/effect?${qs(params)}`);
export const reminderRules = () => call("GET", "/api/reminders/rules");
export const claimReminder = (taskId) => call("POST", `/api/reminders/${taskId}/claim`);
export const reminderScript = (taskId, params) =>
  call("GET", `/api/reminders/${taskId}/script?${qs(params)}`);
export const snoozeReminder = (taskId, body) => call("POST", `/api/reminders/${taskId}/snooze`, { body });
export const finishReminder = (taskId, body) => call("POST", `/api/reminders/${taskId}/done`, { body });
export const touchReminder = (taskId, body) => call("POST", `/api/reminders/${taskId}/touches`, { body });
export const contactTemplates = (params) => call("GET", `/api/contact-templates?${qs(params)}`);
export const measureTemplate = (body) => call("POST", "/api/contact-templates/measure", { body });
export const saveContactTemplate = (purpose, body) =>
  call("PUT", `/api/contact-templates/${purpose}`, { body });
export const care = (params) => call("GET", `/api/care?${qs(params)}`);
export const takeCare = (body) => call("POST", "/api/care/take", { body });
/** The pending care messages as a CSV file (the Response). */
export const exportCare = (body) => call("POST", "/api/care/export", { body });
export const courierJamOptions = (params) => call("GET", `/api/courier-jam/options?${qs(params)}`);
export const previewCourierJam = (body) => call("POST", "/api/courier-jam/preview", { body });
export const courierJams = (params) => call("GET", `/api/courier-jam?${qs(params)}`);
export const createCourierJam = (body) => call("POST", "/api/courier-jam", { body });
export const approveCourierJam = (jamId) => call("POST", `/api/courier-jam/${jamId}/approve`);
export const sendCourierJam = (jamId) => call("POST", `/api/courier-jam/${jamId}/send`);
/** One jam's messages as a CSV file (the Response). */
export const exportCourierJam = (jamId) => call("POST", `/api/courier-jam/${jamId}/export`);

// ---- training ----
export const startRound = (body) => call("POST", "/api/training/rounds", { body });
export const finishRound = (roundId) => call("POST", `/api/training/rounds/${roundId}/finish`, { body: {} });
export const answerQuestion = (questionId, body) =>
  call("POST", `/api/training/questions/${questionId}/answer`, { body });
export const overrideAnswer = (questionId, body) =>
  call("POST", `/api/training/questions/${questionId}/override`, { body });
export const trainingProgress = (params) => call("GET", `/api/training/progress?${qs(params)}`);
export const trainingAnswers = (params) => call("GET", `/api/training/answers?${qs(params)}`);
export const setPassMark = (body) => call("PUT", "/api/training/pass-mark", { body });

// ---- quality control ----
export const qcSample = (params) => call("GET", `/api/qc/sample?${qs(params)}`);
export const qcConversation = (params) => call("GET", `/api/qc/conversation?${qs(params)}`);
export const qcScorecard = () => call("GET", "/api/qc/scorecard");
export const saveQcScorecard = (body) => call("PUT", "/api/qc/scorecard", { body });
export const qcWords = () => call("GET", "/api/qc/words");
export const saveQcWords = (body) => call("PUT", "/api/qc/words", { body });
export const qcReviews = (params) => call("GET", `/api/qc/reviews?${qs(params)}`);
export const createQcReview = (body) => call("POST", "/api/qc/reviews", { body });
export const disputeReview = (reviewId, body) =>
  call("POST", `/api/qc/reviews/${reviewId}/dispute`, { body });
export const qcDisputes = () => call("GET", "/api/qc/disputes");
export const decideDispute = (disputeId, body) =>
  call("POST", `/api/qc/disputes/${disputeId}/decide`, { body });
export const qcCalibration = (params) => call("GET", `/api/qc/calibration?${qs(params)}`);
export const findings = (params) => call("GET", `/api/qc/findings?${qs(params)}`);
export const createFinding = (body) => call("POST", "/api/qc/findings", { body });
export const closeFinding = (findingId, body) =>
  call("POST", `/api/qc/findings/${findingId}/close`, { body });
export const tagConversation = (body) => call("POST", "/api/qc/tags", { body });
export const qcPack = (params) => call("GET", `/api/qc/pack?${qs(params)}`);
export const createEvidence = (body) => call("POST", "/api/evidence", { body });
/** The evidence pack as an HTML page (the Response). */
export const evidencePack = (evidenceId) => call("GET", `/api/evidence/${evidenceId}/pack`);

// ---- reports, KPIs, forecast ----
export const kpi = (params) => call("GET", `/api/reports/kpi?${qs(params)}`);
export const myKpi = () => call("GET", "/api/kpi/me");
export const closeKpi = (body) => call("POST", "/api/reports/kpi/close", { body });
export const kpiSettings = () => call("GET", "/api/reports/kpi/settings");
export const saveKpiSettings = (body) => call("PUT", "/api/reports/kpi/settings", { body });
export const reportCharts = (params) => call("GET", `/api/reports/charts?${qs(params)}`);
export const reportConversations = (params) => call("GET", `/api/reports/conversations?${qs(params)}`);
/** A report as a CSV or XLSX file (the Response). */
export const exportReport = (params) => call("GET", `/api/reports/export?${qs(params)}`);
export const forecast = (body) => call("POST", "/api/reports/forecast", { body });
export const forecastInputs = (params) => call("GET", `/api/reports/forecast/inputs?${qs(params)}`);
