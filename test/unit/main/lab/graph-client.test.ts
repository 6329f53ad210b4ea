import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  PageIterator,
  type PageCollection,
} from '@microsoft/microsoft-graph-client';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { contactIds, rec, SOA_SCOPES, UPN } from './lab-http';

let lab: LabHandle;
let token: string;
let dispatcher: Agent;

function client(customHosts: boolean): Client {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: () => Promise.resolve(token) },
    baseUrl: `${lab.info.graphBaseUrl}/`,
    ...(customHosts ? { customHosts: new Set(['localhost']) } : {}),
    // trust the lab CA (and nothing else) in Node's fetch
    fetchOptions: { dispatcher } as unknown as RequestInit,
  });
}

beforeAll(async () => {
  lab = await startLab({ seed: 51, contacts: 30 });
  token = await lab.mintToken(UPN.full, SOA_SCOPES);
  dispatcher = new Agent({ connect: { ca: readFileSync(lab.info.caCertPath, 'utf8') } });
});
afterAll(async () => {
  await dispatcher.close();
  await lab.close();
});

describe('unmodified @microsoft/microsoft-graph-client against the lab', () => {
  it('contact SOA transfer and rollback over https with customHosts', async () => {
    const c = client(true);
    const [id] = await contactIds(lab, 'synced', 1);
    const path = `/contacts/${id}/onPremisesSyncBehavior`;
    const before = rec(await c.api(path).select('isCloudManaged').get());
    expect(before.isCloudManaged).toBe(false);
    await c.api(path).patch({ isCloudManaged: true });
    expect(rec(await c.api(path).select('isCloudManaged').get()).isCloudManaged).toBe(true);
    expect(rec(await c.api(`/contacts/${id}`).select('onPremisesSyncEnabled').get()).onPremisesSyncEnabled).toBeNull();
    await c.api(path).patch({ isCloudManaged: false });
    expect(rec(await c.api(path).get()).isCloudManaged).toBe(false);
    const beta = rec(await c.api(path).version('beta').get());
    expect(beta.isCloudManaged).toBe(false);
    expect(
      lab
        .writeLog()
        .filter((w) => w.objectId === id)
        .map((w) => rec(w.body).isCloudManaged),
    ).toEqual([true, false]);
  });

  it('without customHosts the client drops the token (docs/reference/graph-and-identity.md#customhosts) and the lab answers 401', async () => {
    const c = client(false);
    await expect(c.api('/me').get()).rejects.toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
  });

  it('PageIterator follows the lab @odata.nextLink; $batch helpers round-trip', async () => {
    const c = client(true);
    const first = (await c.api('/contacts').select(['id', 'displayName']).top(10).get()) as PageCollection;
    const ids: string[] = [];
    const it = new PageIterator(c, first, (item: unknown) => {
      ids.push(String(rec(item).id));
      return true;
    });
    await it.iterate();
    expect(ids.length).toBe(lab.tenant().objectsOf('contact').length);

    const [a, b] = await contactIds(lab, 'synced', 3).then((x) => x.slice(1));
    const batch = new BatchRequestContent([
      {
        id: '1',
        request: new Request(`${lab.info.graphBaseUrl}/v1.0/contacts/${a}/onPremisesSyncBehavior`, { method: 'GET' }),
      },
      {
        id: '2',
        request: new Request(`${lab.info.graphBaseUrl}/v1.0/contacts/${b}/onPremisesSyncBehavior`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ isCloudManaged: true }),
        }),
      },
    ]);
    const res = new BatchResponseContent(await c.api('/$batch').post(await batch.getContent()));
    expect(res.getResponseById('1')?.status).toBe(200);
    expect(res.getResponseById('2')?.status).toBe(204);
    expect(lab.tenant().object(b ?? '')?.isCloudManaged).toBe(true);
  });
});
