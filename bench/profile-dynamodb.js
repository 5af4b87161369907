// Profiles the Unkai server under DynamoDB load: bench (k)'s table, one of its operations (get, put, query,
// transact) replayed by wrk at N connections for S seconds (bench/profile-server.js prints the hottest functions).
// Usage: node bench/profile-dynamodb.js [op=get] [connections=8] [seconds=10] [outDir=/tmp/unkai-prof-ddb]
import { OPS, dataSet, headersFor, loadUnkai } from "./dynamodb.js";
import { profileUnderLoad } from "./profile-server.js";

const [opKey = "get", connections = "8", seconds = "10", outDir = "/tmp/unkai-prof-ddb"] = process.argv.slice(2);
const op = OPS.find((o) => o.key === opKey);
if (!op) throw new Error(`unknown operation ${opKey}: one of ${OPS.map((o) => o.key).join(", ")}`);
await profileUnderLoad({
  outDir, seconds: Number(seconds), label: op.label, rows: 50,
  async prepare({ url }) {
    await loadUnkai(url, dataSet());
    return { url: `${url}/`, method: "POST", headers: headersFor(op.target), body: JSON.stringify(op.body), sign: "dynamodb", connections: Number(connections) };
  },
});
