// The function Unkai deploys on first start: `unkai invoke hello --payload '{"name":"Unkai"}'`.
let invocations = 0;

export const handler = async (event, context) => {
  invocations += 1;
  console.log("hello invoked", JSON.stringify(event));
  return {
    message: `Hello, ${event?.name ?? "world"}!`,
    requestId: context.awsRequestId,
    warmInvocations: invocations,
  };
};
