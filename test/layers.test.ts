/** Layers: a library that lives only in a layer is importable from Node and Python; later layers win. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CreateFunctionCommand, GetFunctionCommand, PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { aws, invoke, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

describe("layers", () => {
  const suite = unkaiSuite();

  it("publishes layer versions and runs Node and Python functions that import from them", async () => {
    const libZip = await zipFiles({
      "nodejs/node_modules/greeter/index.js": "exports.greet = (name) => `hello ${name} from layer one`;",
      "python/greeter.py": "def greet(name):\n    return f'hello {name} from layer one'\n",
    });
    const zipPath = join(suite.unkai.dataDir, "layer.zip");
    writeFileSync(zipPath, libZip);
    const published = await aws(suite.unkai.url, ["lambda", "publish-layer-version", "--layer-name", "greeter", "--zip-file", `fileb://${zipPath}`, "--compatible-runtimes", "nodejs20.x", "python3.12"]);
    assert.equal(published.code, 0, published.stderr);
    const layer1 = JSON.parse(published.stdout) as { LayerVersionArn: string; Version: number; Content: { CodeSha256: string; CodeSize: number } };
    assert.equal(layer1.LayerVersionArn, "arn:aws:lambda:us-east-1:000000000000:layer:greeter:1");
    assert.equal(layer1.Version, 1);
    assert.equal(layer1.Content.CodeSize, libZip.length);

    const override = await suite.client.send(new PublishLayerVersionCommand({
      LayerName: "override",
      Content: { ZipFile: await zipFiles({ "nodejs/node_modules/greeter/index.js": "exports.greet = (name) => `hello ${name} from layer two`;" }) },
    }));

    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "node-layered", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE,
      Code: { ZipFile: await zipFiles({ "index.js": "const { greet } = require('greeter');\nexports.handler = async (e) => ({ said: greet(e.name) });" }) },
      Layers: [layer1.LayerVersionArn],
    }));
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "py-layered", Runtime: "python3.12", Handler: "app.handler", Role: ROLE,
      Code: { ZipFile: await zipFiles({ "app.py": "from greeter import greet\n\ndef handler(event, context):\n    return {'said': greet(event['name'])}\n" }) },
      Layers: [layer1.LayerVersionArn],
    }));
    assert.deepEqual((await invoke(suite.client, "node-layered", { name: "node" })).json, { said: "hello node from layer one" });
    assert.deepEqual((await invoke(suite.client, "py-layered", { name: "python" })).json, { said: "hello python from layer one" });

    const config = (await suite.client.send(new GetFunctionCommand({ FunctionName: "node-layered" }))).Configuration;
    assert.deepEqual(config?.Layers, [{ Arn: layer1.LayerVersionArn, CodeSize: libZip.length }]);

    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "node-layered", Layers: [layer1.LayerVersionArn, override.LayerVersionArn ?? ""] }));
    assert.deepEqual((await invoke(suite.client, "node-layered", { name: "node" })).json, { said: "hello node from layer two" }, "a later layer overrides an earlier one");

    const listed = await aws(suite.unkai.url, ["lambda", "list-layers"]);
    const names = (JSON.parse(listed.stdout) as { Layers: { LayerName: string }[] }).Layers.map((l) => l.LayerName);
    assert.deepEqual(names, ["greeter", "override"]);
    const tooMany = await suite.client
      .send(new UpdateFunctionConfigurationCommand({ FunctionName: "node-layered", Layers: Array.from({ length: 6 }, () => layer1.LayerVersionArn) }))
      .then(() => undefined, (e: Error) => e);
    assert.match(tooMany?.message ?? "", /at most 5 layers/);
    const deleted = await aws(suite.unkai.url, ["lambda", "delete-layer-version", "--layer-name", "greeter", "--version-number", "1"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual((await invoke(suite.client, "py-layered", { name: "again" })).json, { said: "hello again from layer one" }, "functions keep a deleted layer version");
  });
});
