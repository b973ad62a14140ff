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
// A token (an ANALYST API key, say) in the fragment, #token=<token>, signs the dashboard in:
// it then shows the events only signed-in callers see. A fragment is never sent to a
// server, nor written to its logs or a Referer; the page takes it out of the address bar
// at once (a wall shows that bar to the room) and keeps it for the tab's reloads.
function signIn() {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const given = fragment.get('token');
  if (!given) return sessionStorage.getItem('dashboard-token');
  sessionStorage.setItem('dashboard-token', given);
  fragment.delete('token');
  const rest = fragment.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`);
  return given;
}
const token = signIn();
const feedLength = 40;
const topGaps = 8;
const facilitiesListed = 100; // the facilities asked for, busiest first on the panel
const competitionsListed = 6;
// Panels that not every event concerns are also read again on a timer: their windows move
// with the day, and anonymous viewers see no booking events.
const facilitiesEvery = 60_000;
const competitionsEvery = 15 * 60_000;
const palette = ['#1f6feb', '#e3703b', '#2da44e', '#8250df', '#d4a72c', '#cf222e', '#0a9396', '#6e7781'];

const $ = (selector) => document.querySelector(selector);
const number = new Intl.NumberFormat('en');
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 });
const finePercent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
let foundedYear = 0; // the alliance's: outcomes are shown from its first cohort on

function documentId(operation) {
  const id = operations[operation];
  if (!id) throw new Error(`no operation ${operation} in dashboard.graphql`);
  return `sha256:${id}`;
}

async function query(operation, variables) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
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
  connectionParams: token ? { Authorization: `Bearer ${token}` } : undefined,
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
      // A compact legend: the kinds take two lines, not four, on a third of a laptop's height.
      plugins: { legend: { labels: { boxWidth: 8, padding: 4, font: () => ({ size: Math.round(fontSize() * 0.8) }) } } },
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
// data, when given, holds each row's data attributes: the exact figures behind the text.
function table(id, header, rows, data = []) {
  const t = $(`#${id}`);
  t.replaceChildren();
  const head = t.createTHead().insertRow();
  header.forEach((h) => { const th = document.createElement('th'); th.textContent = h; head.append(th); });
  const body = t.createTBody();
  rows.forEach((r, i) => {
    const tr = body.insertRow();
    Object.assign(tr.dataset, data[i]);
    r.forEach((v) => { tr.insertCell().textContent = v; });
  });
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

// ---------------------------------------------------------------- the alliance's days

// The alliance keeps Shenyang's calendar; ?today=YYYY-MM-DD shows the facilities' windows
// and the days to each competition as of another day (a replay, or a server whose clock
// is not the wall's).
const shenyang = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
function today() {
  const asked = params.get('today');
  if (/^\d{4}-\d{2}-\d{2}$/.test(asked ?? '')) return asked;
  const p = Object.fromEntries(shenyang.formatToParts(new Date()).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}
const dayMs = 86_400_000;
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);
const daysBetween = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs);
const midnight = (day) => `${day}T00:00:00+08:00`; // the day's start in Shenyang
const longDay = (day) => new Date(`${day}T00:00:00Z`).toLocaleDateString('en', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
// An instant as Shenyang's clocks read it: when a booking starts.
const shenyangTime = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const shortDay = (day) => new Date(`${day}T00:00:00Z`).toLocaleDateString('en', { day: 'numeric', month: 'short', timeZone: 'UTC' });

// ---------------------------------------------------------------- facilities

// Hours a week a facility keeps open; an empty week means always open.
function weeklyHours(hours) {
  if (hours.length === 0) return 7 * 24;
  const minutes = (clock) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
  return hours.reduce((sum, h) => sum + minutes(h.closes) - minutes(h.opens), 0) / 60;
}

// The full length of the facilities' bars: the busiest share shown, rounded up.
function barScale(shares) {
  const top = Math.max(0, ...shares);
  return [0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1].find((s) => top <= s) ?? 1;
}

// Every facility, the busiest over the four weeks first (then over the week, then by
// name), as a list of bars that scrolls under the busiest few; the hidden table beside it
// holds the same figures for screen readers.
function showFacilities(data, day) {
  const all = data.resources.edges.map((e) => e.node).filter((f) => f.weeks !== undefined)
    .sort((a, b) => b.weeks - a.weeks || b.week - a.week || a.title.en.localeCompare(b.title.en));
  const scale = barScale(all.flatMap((f) => [f.week, f.weeks]));
  const bar = (className, share) => {
    const b = document.createElement('span');
    b.className = `bar ${className}`;
    b.style.width = `${Math.min(100, (share / scale) * 100)}%`;
    return b;
  };
  const cell = (className, text) => {
    const c = document.createElement('span');
    c.className = className;
    c.textContent = text;
    return c;
  };
  $('#facilities').replaceChildren(...all.map((f) => {
    const li = document.createElement('li');
    li.dataset.id = f.id;
    li.title = `${f.title.en}\n${f.title.zh}\n${f.provider.name.en} · open ${number.format(weeklyHours(f.openingHours))} h a week`;
    const bars = cell('bars', '');
    bars.append(bar('week', f.week), bar('weeks', f.weeks));
    li.append(cell('name', f.title.en), bars, cell('week', percent.format(f.week)), cell('weeks', percent.format(f.weeks)));
    return li;
  }));
  $('#facilities-scale').textContent = `full bar ${percent.format(scale)}`;
  table('facilities-table', ['Facility', '设施', 'Provider', 'Open hours a week', 'Booked, next 7 days', 'Booked, next 4 weeks'],
    all.map((f) => [f.title.en, f.title.zh, f.provider.name.en, number.format(weeklyHours(f.openingHours)), finePercent.format(f.week), finePercent.format(f.weeks)]),
    all.map((f) => ({ id: f.id, week: String(f.week), weeks: String(f.weeks) })));
  const total = data.resources.totalCount;
  $('#facilities-window').textContent = `${shortDay(day)} – ${shortDay(addDays(day, 27))} · ` +
    `${number.format(total)} ${total === 1 ? 'facility' : 'facilities'}${total > all.length ? `, the first ${all.length}` : ''}`;
  document.body.dataset.facilities = 'ready';
}

function loadFacilities(alliance) {
  const day = today();
  return query('DashboardFacilities', {
    alliance, first: facilitiesListed, from: midnight(day), week: midnight(addDays(day, 7)), weeks: midnight(addDays(day, 28)),
  }).then((data) => showFacilities(data, day));
}

// Events that change what the facilities are booked for: bookings made or cancelled,
// facilities shared, changed (their hours) or withdrawn, courses whose class meetings
// are bookings shared or withdrawn.
const concernsFacilities = (kind) => kind.startsWith('FACILITY_') || kind.startsWith('RESOURCE_');

// ---------------------------------------------------------------- competitions

function daysToGo(n) {
  if (n === 0) return 'today';
  if (n === 1) return 'tomorrow';
  return n > 0 ? `in ${number.format(n)} days` : `${number.format(-n)} days ago`;
}

function showCompetitions(data, day) {
  const list = $('#competitions');
  list.replaceChildren();
  const editions = data.competitions.edges.map((e) => e.node);
  for (const c of editions) {
    const li = document.createElement('li');
    li.dataset.heldOn = c.heldOn;
    li.dataset.level = c.level;
    const span = (className, text, lang) => {
      const el = document.createElement('span');
      el.className = className;
      el.textContent = text;
      if (lang) el.lang = lang;
      return el;
    };
    const when = document.createElement('time');
    when.dateTime = c.heldOn;
    when.textContent = longDay(c.heldOn);
    const n = daysBetween(day, c.heldOn);
    const countdown = span('countdown', daysToGo(n));
    countdown.dataset.days = String(n);
    const meta = span('meta', '');
    meta.append(span('level', words(c.level)), ' ', when);
    li.append(span('name', c.name.en), span('zh', c.name.zh, 'zh-Hans'), meta, countdown);
    list.append(li);
  }
  const total = data.competitions.totalCount;
  $('#competitions-count').textContent = total > editions.length ? `the next ${editions.length} of ${number.format(total)}` : '';
  document.body.dataset.competitions = 'ready';
}

function loadCompetitions(alliance) {
  const day = today();
  return query('DashboardCompetitions', { alliance, first: competitionsListed }).then((data) => showCompetitions(data, day));
}

// Competition editions and their results.
const concernsCompetitions = (kind) => kind.startsWith('COMPETITION_') || kind === 'RESULT_RECORDED';

// coalesced makes load safe to call on every event: at most one request at a time, and
// the calls made meanwhile become one more request shortly after it.
function coalesced(what, load) {
  let running = null;
  let again = false;
  const run = () => {
    if (running) { again = true; return; }
    running = load()
      .catch((err) => console.error(`dashboard ${what}:`, err))
      .finally(() => {
        running = null;
        if (again) { again = false; setTimeout(run, 250); }
      });
  };
  return run;
}

const quarter = (day) => `${day.slice(0, 4)} Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;

// Figures are refetched when events arrive, at most one request at a time, a few events
// at once: the server keeps them until the event log moves, so this is cheap.
function loadFigures(alliance) {
  return query('DashboardFigures', { alliance, today: new Date().toISOString().slice(0, 10), gaps: topGaps }).then(showFigures);
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

// Labels of the event kinds whose constant alone reads poorly; every other kind, a new
// one too, reads as its constant in words.
const eventLabels = {
  RESULT_RECORDED: 'Competition result',
  FACILITY_BOOKING_CANCELLED: 'Booking cancelled',
  ENROLLMENT_COMPLETED: 'Course completed',
  ENROLLMENT_DROPPED: 'Course dropped',
  WAITLIST_PROMOTED: 'Off the waitlist',
};
const eventLabel = (kind) => eventLabels[kind] ?? words(kind);

// The facts of a payload a viewer who may not read the subject is shown: enumerated
// values alone (a result, a level), never an ID.
function payloadText(payload) {
  return ['result', 'level'].map((k) => payload?.[k]).filter((v) => typeof v === 'string' && /^[A-Z_]+$/.test(v)).map(words).join(' · ');
}

function subjectText(e) {
  const subject = e.subject;
  if (!subject) return payloadText(e.payload);
  switch (subject.__typename) {
    case 'FacilityBooking':
      return `${subject.facility.title.en} · for ${subject.organization.name.en} · ${shenyangTime.format(new Date(subject.start))}`;
    case 'Secondment':
      return `${subject.teacher.title.en} · for ${subject.requester.name.en} from ${shortDay(subject.from)}`;
    case 'Enrollment':
      return [subject.course.title.en, subject.result && words(subject.result)].filter(Boolean).join(' · ');
    case 'Certificate':
      return `${subject.skill.name.en} · ${words(subject.level)}`;
  }
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
  kind.textContent = eventLabel(e.kind);
  const subject = document.createElement('span');
  subject.className = 'subject';
  subject.textContent = subjectText(e);
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
  const refreshFigures = coalesced('figures', () => loadFigures(alliance.id));
  const refreshFacilities = coalesced('facilities', () => loadFacilities(alliance.id));
  const refreshCompetitions = coalesced('competitions', () => loadCompetitions(alliance.id));
  refreshFigures();
  refreshFacilities();
  refreshCompetitions();
  setInterval(refreshFacilities, facilitiesEvery);
  setInterval(refreshCompetitions, competitionsEvery);

  keep('DashboardCounters', () => ({ alliance: alliance.id }), (data) => showCounters(data.allianceStats));
  keep('DashboardFeed', () => ({ alliance: alliance.id, after: lastCursor }), (data) => {
    lastCursor = data.events.cursor;
    addEvent(data.events, true);
    refreshFigures();
    if (concernsFacilities(data.events.node.kind)) refreshFacilities();
    if (concernsCompetitions(data.events.node.kind)) refreshCompetitions();
  });
}

main().catch((err) => {
  console.error(err);
  $('#status').textContent = `Error: ${err.message}`;
  document.body.dataset.connection = 'error';
});
