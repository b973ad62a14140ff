// The playground: GraphiQL over /query, subscriptions over graphql-transport-ws on the
// same path, everything bundled so that the page loads nothing from outside the server.
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';
import './playground.css';

const endpoint = new URL('/query', window.location.href);
const socket = new URL(endpoint);
socket.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

const fetcher = createGraphiQLFetcher({
  url: endpoint.href,
  // The toolkit opens one graphql-ws client per subscription with the headers pane as
  // its connection_init payload, so a token pasted there authorises subscriptions too.
  subscriptionUrl: socket.href,
  // The server answers application/json; multipart (@defer) is not spoken.
  enableIncrementalDelivery: false,
});

// Shown on a first visit (GraphiQL keeps the analyst's own tabs afterwards): a query that
// touches the main parts of the graph, and a subscription to try next.
const defaultQuery = `# Welcome to the Alliance Graph playground.
#
# Run a query with Ctrl-Enter (or the play button); the Docs button on the left
# documents every type and field. Write operations need a token in the Headers pane:
#   {"Authorization": "Bearer <token>"}
# Subscriptions run over WebSocket from here: try
#   subscription { events { cursor node { kind occurredAt subjectId } } }

query Alliance {
  alliances(first: 1) {
    edges {
      node {
        name { en zh }
        foundedOn
        members(first: 5) {
          totalCount
          edges { node { role organization { kind name { en zh } } } }
        }
      }
    }
  }
  skillGap(first: 5, orderBy: { field: SHORTFALL }) {
    edges { node { skill { code name { en } } demand supply gap } }
  }
}
`;

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} defaultEditorToolsVisibility={false} />,
);
