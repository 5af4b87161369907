// Profiles the Unkai server under warm Invoke load: a hello function driven by wrk at N connections for
// S seconds (bench/profile-server.js prints the hottest functions).
// Usage: node bench/profile-invoke.js [connections=1] [seconds=10] [outDir=/tmp/unkai-prof]
import { profileUnderLoad } from "./profile-server.js";

const [connections = "1", seconds = "10", outDir = "/tmp/unkai-prof"] = process.argv.slice(2);
await profileUnderLoad({ outDir, seconds: Number(seconds), prepare: ({ targets }) => ({ ...targets.invoke, connections: Number(connections) }) });
