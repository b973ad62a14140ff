// The live dashboard: figures from the public GraphQL API, refreshed whenever the event
// feed moves; counters and the feed over graphql-transport-ws, resumed from the last event
// seen after a dropped connection.
import { createClient } from 'graphql-ws';
import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Filler,
  Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';
import './dashboard.css';
// The ids of the operations in dashboard.graphql, not their text: the server trusts them
// even when it runs only the documents of a manifest (--trusted-documents).
import operations from './dashboard.graphql';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Filler,
  Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

const endpoint = new URL('/query', window.location.href);
const socket = new URL(endpoint);
socket.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
const params = new URLSearchParams(window.location.search);
const feedLength = 40;
const topGaps = 8;
const palette = ['#1f6feb', '#e3703b', '#2da44e', '#8250df', '#d4a72c', '#cf222e', '#0a9396', '#6e7781'];

const $ = (selector) => document.querySelector(selector);
const number = new Intl.NumberFormat('en');
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 });
let foundedYear = 0; // the alliance's: outcomes are shown from its first cohort on

function documentId(operation) {
  const id = operations[operation];
  if (!id) throw new Error(`no operation ${operation} in dashboard.graphql`);
  return `sha256:${id}`;
}

async function query(operation, variables) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9' },
    body: JSON.stringify({ documentId: documentId(operation), variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

// ---------------------------------------------------------------- connection state

function setConnection(status) {
  document.body.dataset.connection = status;
  $('#status').textContent = status === 'live' ? 'Live' : 'Reconnecting…';
}

let failures = 0; // connection attempts failed in a row

// retryAttempts 0: on a drop every subscription errors and keep() resubscribes it with
// fresh variables (the feed's latest cursor), which graphql-ws's own retry, replaying the
// first payload, would not do.
const client = createClient({
  url: socket.href,
  lazy: true,
  retryAttempts: 0,
  keepAlive: 10_000,
  on: {
    connected: () => { failures = 0; setConnection('live'); },
    closed: () => setConnection('reconnecting'),
  },
});

// keep runs a subscription for the page's lifetime: whenever it ends (connection lost,
// server shutting down, SLOW_CONSUMER), it subscribes again after a growing pause.
// graphql-ws insists on a query string; the server runs the document the id names.
function keep(operation, variables, onData) {
  const run = () => {
    client.subscribe({ query: '', documentId: documentId(operation), variables: variables() }, {
      next: (msg) => { if (msg.data) onData(msg.data); },
      error: () => again(),
      complete: () => again(),
    });
  };
  const again = () => {
    const pause = Math.min(8000, 250 * 2 ** failures++) * (0.75 + Math.random() / 2);
    setTimeout(run, pause);
  };
  run();
}

// ---------------------------------------------------------------- charts

function fontSize() {
  return Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 0.95);
}

const charts = {};
function chart(id, config) {
  charts[id] = new Chart($(`#${id}`), {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 300 },
      plugins: { legend: { position: 'bottom' }, ...config.options?.plugins },
      ...config.options,
    },
  });
}

function makeCharts() {
  Chart.defaults.font.size = fontSize();
  Chart.defaults.color = '#30363d';
  chart('members-chart', {
    type: 'doughnut',
    data: { labels: [], datasets: [{ data: [], backgroundColor: palette }] },
  });
  chart('partnerships-chart', {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { type: 'bar', label: 'Signed that month', data: [], backgroundColor: palette[0], yAxisID: 'month' },
        { type: 'line', label: 'Signed in all', data: [], borderColor: palette[1], backgroundColor: palette[1], pointRadius: 0, yAxisID: 'total' },
      ],
    },
    options: {
      scales: {
        month: { position: 'left', beginAtZero: true, title: { display: true, text: 'per month' } },
        total: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'in all' } },
      },
    },
  });
  chart('resources-chart', {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'On offer', data: [], backgroundColor: palette }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
  });
  chart('positions-chart', {
    type: 'doughnut',
    data: { labels: ['Open', 'Filled'], datasets: [{ data: [0, 0], backgroundColor: [palette[1], palette[2]] }] },
    options: { plugins: { legend: { position: 'bottom' } } },
  });
  chart('gaps-chart', {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { label: 'Demand', data: [], backgroundColor: palette[5] },
        { label: 'Supply', data: [], backgroundColor: palette[2] },
      ],
    },
    // Every skill keeps its label: Chart.js would drop every other one on a short panel.
    options: { indexAxis: 'y', scales: { x: { beginAtZero: true, title: { display: true, text: 'level-weighted positions / seats and talents' } }, y: { ticks: { autoSkip: false } } } },
  });
  chart('outcomes-chart', {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { type: 'bar', label: 'Employed', data: [], backgroundColor: palette[0], yAxisID: 'share' },
        { type: 'bar', label: 'In the alliance', data: [], backgroundColor: palette[2], yAxisID: 'share' },
        { type: 'line', label: 'Median salary', data: [], borderColor: palette[1], backgroundColor: palette[1], yAxisID: 'salary', spanGaps: false },
      ],
    },
    options: {
      plugins: { legend: { labels: { boxWidth: 12 } } },
      scales: {
        x: { ticks: { autoSkip: false } },
        share: { position: 'left', beginAtZero: true, max: 1, ticks: { format: { style: 'percent' } }, title: { display: false } },
        salary: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'CNY a month' } },
      },
    },
  });
  chart('growth-chart', {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      plugins: { legend: { labels: { boxWidth: 12 } } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
    },
  });
  window.addEventListener('resize', () => {
    Chart.defaults.font.size = fontSize();
    Object.values(charts).forEach((c) => c.update('none'));
  });
}

// Each chart has a table with its figures beside it: screen readers read it, and so do
// the browser tests.
function table(id, header, rows) {
  const t = $(`#${id}`);
  t.replaceChildren();
  const head = t.createTHead().insertRow();
  header.forEach((h) => { const th = document.createElement('th'); th.textContent = h; head.append(th); });
  const body = t.createTBody();
  rows.forEach((r) => { const tr = body.insertRow(); r.forEach((v) => { tr.insertCell().textContent = v; }); });
}

function setChart(id, labels, ...series) {
  const c = charts[id];
  c.data.labels = labels;
  series.forEach((s, i) => { c.data.datasets[i].data = s; });
  c.update();
}

const words = (constant) => constant.toLowerCase().replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());

// Months between the first and the last signing, the empty ones included, so that the
// time axis is to scale.
function months(series) {
  if (series.length === 0) return [];
  const counts = new Map(series.map((m) => [m.month.slice(0, 7), m.count]));
  const out = [];
  const end = series[series.length - 1].month.slice(0, 7);
  for (let d = new Date(`${series[0].month.slice(0, 7)}-01T00:00:00Z`); ; d.setUTCMonth(d.getUTCMonth() + 1)) {
    const key = d.toISOString().slice(0, 7);
    out.push([key, counts.get(key) ?? 0]);
    if (key === end) break;
  }
  return out;
}

function showFigures(data) {
  const a = { ...data.now, ...data.ever };
  setChart('members-chart', a.membersByKind.map((m) => `${words(m.kind)} (${number.format(m.count)})`), a.membersByKind.map((m) => m.count));
  table('members-table', ['Kind', 'Members'], a.membersByKind.map((m) => [words(m.kind), m.count]));

  const series = months(a.partnershipsByMonth);
  let total = 0;
  const cumulative = series.map(([, n]) => (total += n));
  setChart('partnerships-chart', series.map(([m]) => m), series.map(([, n]) => n), cumulative);
  table('partnerships-table', ['Month', 'Signed', 'In all'], series.map(([m, n], i) => [m, n, cumulative[i]]));

  setChart('resources-chart', a.resourcesByCategory.map((r) => words(r.category)), a.resourcesByCategory.map((r) => r.count));
  table('resources-table', ['Category', 'On offer'], a.resourcesByCategory.map((r) => [words(r.category), r.count]));

  // Largest gap first, among skills some open position asks for: a skill nobody asks for
  // has no gap to close, whatever its score.
  const gaps = data.skillGap.edges.map((e) => e.node);
  // A shortage no course teaches is the curriculum gap itself: said in the label.
  // Long skill names are cut so that the label fits beside the bars; the table has them whole.
  const cut = (s) => (s.length > 20 ? `${s.slice(0, 19)}…` : s);
  const label = (g) => `${cut(g.skill.name.en)} · ${g.gap.toFixed(2)}${g.courses === 0 ? ' · no course' : ''}`;
  setChart('gaps-chart', gaps.map(label), gaps.map((g) => g.demand), gaps.map((g) => g.supply));
  table('gaps-table', ['Skill', 'Demand', 'Supply', 'Open positions', 'Courses', 'Course seats', 'Gap'],
    gaps.map((g) => [`${g.skill.name.en} (${g.skill.code})`, g.demand.toFixed(0), g.supply.toFixed(0), g.openPositions, g.courses, g.courseSeats, g.gap.toFixed(2)]));
  showOutcomes(data.employmentOutcomes.edges.map((e) => e.node));
  showGrowth(data.membershipGrowth);
  document.body.dataset.figures = 'ready';
}

// The cohorts since the alliance's founding, oldest first: the kept answer holds the
// largest groups, every recent year among them. A median the API withholds (fewer than
// five hires) stays a gap in the line.
function showOutcomes(groups) {
  const years = groups.filter((g) => g.key.year >= foundedYear).sort((a, b) => a.key.year - b.key.year);
  const share = (g, n) => (g.cohort ? n / g.cohort : 0);
  setChart('outcomes-chart', years.map((g) => `${g.key.year} (${number.format(g.cohort)})`),
    years.map((g) => g.employmentRate), years.map((g) => share(g, g.employedInAlliance)), years.map((g) => g.medianStartingSalary));
  table('outcomes-table', ['Year of entry', 'Graduates and trainees', 'Employed', 'Within the alliance', 'Median starting salary'],
    years.map((g) => [g.key.year, g.cohort, percent.format(g.employmentRate), percent.format(share(g, g.employedInAlliance)),
      g.medianStartingSalary === null ? 'fewer than 5 hires' : `${number.format(g.medianStartingSalary)} CNY`]));
}

// Members at the end of each quarter by kind, stacked; joinings and leavings in the table.
function showGrowth(steps) {
  const c = charts['growth-chart'];
  const kinds = steps[0]?.byKind.map((k) => k.kind) ?? [];
  c.data.labels = steps.map((s) => quarter(s.from));
  kinds.forEach((kind, i) => {
    c.data.datasets[i] ??= { label: words(kind), backgroundColor: palette[i % palette.length] };
    c.data.datasets[i].data = steps.map((s) => s.byKind[i].active);
  });
  c.update();
  table('growth-table', ['Quarter', 'Joined', 'Left', 'Members at its end'], steps.map((s) => [quarter(s.from), s.joined, s.left, s.active]));
}

const quarter = (day) => `${day.slice(0, 4)} Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;

// Figures are refetched when events arrive, at most one request at a time, a few events
// at once: the server keeps them until the event log moves, so this is cheap.
let refreshing = null;
let refreshAgain = false;
function refreshFigures(alliance) {
  if (refreshing) { refreshAgain = true; return; }
  refreshing = query('DashboardFigures', { alliance, today: new Date().toISOString().slice(0, 10), gaps: topGaps })
    .then(showFigures)
    .catch((err) => console.error('dashboard figures:', err))
    .finally(() => {
      refreshing = null;
      if (refreshAgain) { refreshAgain = false; setTimeout(() => refreshFigures(alliance), 250); }
    });
}

// ---------------------------------------------------------------- counters and feed

function showCounters(s) {
  for (const [key, value] of Object.entries(s)) {
    const tile = document.querySelector(`[data-stat="${key}"]`);
    if (tile) tile.textContent = number.format(value);
  }
  setChart('positions-chart', [`Open (${number.format(s.openPositions)})`, `Filled (${number.format(s.filledPositions)})`], [s.openPositions, s.filledPositions]);
  $('#as-of').textContent = `updated ${new Date(s.asOf).toLocaleTimeString()}`;
}

function subjectText(subject) {
  if (!subject) return '';
  const name = subject.name?.en ?? subject.title?.en ?? subject.organization?.name.en ?? subject.opening?.title.en ?? '';
  return subject.provider ? `${name} · ${subject.provider.name.en}` : name;
}

// Today's events by the second, older ones by the day.
function shortTime(d) {
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time.slice(0, 5)}`;
}

// No client-side deduplication: resuming after the last cursor shown is what keeps the
// feed free of repeats, and the browser test checks it.
function addEvent(edge, live) {
  const e = edge.node;
  const li = document.createElement('li');
  li.dataset.cursor = edge.cursor;
  li.dataset.kind = e.kind;
  if (live) li.className = 'new';
  const when = document.createElement('time');
  when.dateTime = e.occurredAt;
  when.textContent = shortTime(new Date(e.occurredAt));
  const kind = document.createElement('span');
  kind.className = 'kind';
  kind.textContent = words(e.kind);
  const subject = document.createElement('span');
  subject.className = 'subject';
  subject.textContent = subjectText(e.subject);
  const actor = document.createElement('span');
  actor.className = 'actor';
  actor.textContent = e.actor;
  li.append(kind, when, subject, actor);
  const feed = $('#feed');
  feed.prepend(li);
  while (feed.children.length > feedLength) feed.lastElementChild.remove();
}

async function main() {
  makeCharts();
  const id = params.get('alliance');
  const alliance = id
    ? (await query('DashboardAlliance', { id })).node
    : (await query('DashboardFirstAlliance')).alliances.edges[0]?.node;
  if (!alliance) {
    $('#title').textContent = 'No alliance on this server yet';
    return;
  }
  $('#title').textContent = alliance.name.en;
  $('#subtitle').textContent = `${alliance.name.zh} · ${alliance.city} · founded ${alliance.foundedOn}`;
  foundedYear = Number(alliance.foundedOn.slice(0, 4));
  document.title = `${alliance.name.en} · dashboard`;

  const recent = await query('DashboardRecentEvents', { alliance: alliance.id, last: feedLength });
  recent.events.edges.forEach((edge) => addEvent(edge, false));
  let lastCursor = recent.latest.edges.at(-1)?.cursor ?? null;
  refreshFigures(alliance.id);

  keep('DashboardCounters', () => ({ alliance: alliance.id }), (data) => showCounters(data.allianceStats));
  keep('DashboardFeed', () => ({ alliance: alliance.id, after: lastCursor }), (data) => {
    lastCursor = data.events.cursor;
    addEvent(data.events, true);
    refreshFigures(alliance.id);
  });
}

main().catch((err) => {
  console.error(err);
  $('#status').textContent = `Error: ${err.message}`;
  document.body.dataset.connection = 'error';
});
