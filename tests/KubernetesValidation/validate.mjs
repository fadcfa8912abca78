// Validates Kubernetes objects against the official OpenAPI schemas, using the model classes of the npm
// package kubernetes-models (generated from the Kubernetes OpenAPI spec). Input: YAML files (several documents
// each) named on the command line, or a YAML stream on stdin ("-"). Kustomize's own files are skipped.
// Prints one line per object and a summary; exits 1 when any object is invalid or of an unknown kind.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const inputs = process.argv.slice(2);
if (inputs.length === 0) {
  console.error("usage: node validate.mjs <file.yaml|-> ...");
  process.exit(2);
}

let validated = 0;
let errors = 0;
for (const input of inputs) {
  const text = input === "-" ? readFileSync(0, "utf8") : readFileSync(input, "utf8");
  let documents;
  try {
    documents = yaml.loadAll(text);
  } catch (e) {
    console.log(`error ${input}: not YAML: ${e.message}`);
    errors++;
    continue;
  }

  for (const object of documents) {
    if (object === null || object === undefined) continue;
    const where = `${input} ${object.kind}/${object.metadata?.name}`;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      console.log(`error ${where}: no apiVersion/kind`);
      errors++;
      continue;
    }
    if (object.apiVersion.startsWith("kustomize.config.k8s.io/")) continue;

    // Core objects live under kubernetes-models/v1/<Kind>, grouped ones under kubernetes-models/<group>/<version>/<Kind>.
    const modulePath = `kubernetes-models/${object.apiVersion}/${object.kind}`;
    let Model;
    try {
      const module = await import(modulePath);
      Model = module[object.kind] ?? module.default;
    } catch (e) {
      console.log(`error ${where}: unknown apiVersion/kind (${modulePath}): ${e.code ?? e.message}`);
      errors++;
      continue;
    }

    try {
      new Model(object).validate();
      console.log(`ok ${where}`);
      validated++;
    } catch (e) {
      const details = e.errors ? JSON.stringify(e.errors) : "";
      console.log(`error ${where}: ${e.message} ${details}`);
      errors++;
    }
  }
}

console.log(`validated ${validated} objects, ${errors} errors`);
process.exit(errors === 0 && validated > 0 ? 0 : 1);
