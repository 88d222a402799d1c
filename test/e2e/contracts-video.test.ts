import {
  getAddress,
  type HDNodeWallet,
  JsonRpcProvider,
  keccak256,
  parseEther,
  toBigInt,
  toUtf8Bytes,
  type Wallet,
} from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractSource, DEVNET_PARAMS, devnetContractAddress } from "../../src/genesis/index.ts";
import {
  decodeEvents,
  delegateWallet,
  devWallet,
  eventTopic,
  GENESIS_CONTRACT,
  send,
  sendOk,
  view,
  waitForHeight,
} from "./helpers/contract-client.ts";
import { NodeProcess } from "./helpers/node-process.ts";

const TOKEN = getAddress(devnetContractAddress("token"));
const CONTENT = getAddress(devnetContractAddress("content"));
const ESCROW = getAddress(devnetContractAddress("escrow"));
const ADS = getAddress(devnetContractAddress("ads"));

const lvo = (s: string) => parseEther(s);
const dec = (s: string) => parseEther(s).toString();
const low = (w: { address: string }) => w.address.toLowerCase();
/** Enough gas for any one video-contract call (bounded by MAX_CONTRACT_CALL_GAS anyway). */
const GAS = 400_000n;

describe("the five devnet video contracts through ethers, several accounts, exact balances", () => {
  let node: NodeProcess;
  let provider: JsonRpcProvider;
  let delegate: Wallet;
  const w: HDNodeWallet[] = [];
  const bal = (x: { address: string } | string) => provider.getBalance(typeof x === "string" ? x : x.address);

  beforeAll(async () => {
    node = NodeProcess.create({ blockInterval: 500 });
    await node.start();
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 100 });
    for (let i = 0; i < 20; i++) w.push(devWallet(i, provider));
    delegate = delegateWallet(provider);
    const fund = await w[19]!.sendTransaction({ to: delegate.address, value: lvo("10") });
    await fund.wait(1, 15_000);
  });

  afterAll(async () => {
    provider?.destroy();
    expect(await node?.stop()).toBe(0);
  });

  it("token: balanceOf, transfer, approve + transferFrom, an LVO dividend distributed and claimed", async () => {
    const [owner, alice, spender, bob, payer] = [w[0]!, w[1]!, w[2]!, w[3]!, w[4]!];
    const info = await view<Record<string, unknown>>(provider, TOKEN, "info");
    expect(info).toMatchObject({
      name: "LIVE VIDEO Asset",
      symbol: "LVA",
      decimals: 18,
      totalSupply: dec("1000000"),
    });
    expect(await view(provider, TOKEN, "balanceOf", [owner.address])).toBe(dec("1000000"));

    const t = await sendOk(owner, TOKEN, "transfer", [alice.address, dec("250000")]);
    expect(decodeEvents(t.receipt, ["Transfer"])).toEqual([
      { address: TOKEN, name: "Transfer", args: [low(owner), low(alice), dec("250000")] },
    ]);
    expect(await view(provider, TOKEN, "balanceOf", [owner.address])).toBe(dec("750000"));
    expect(await view(provider, TOKEN, "balanceOf", [alice.address])).toBe(dec("250000"));

    const a = await sendOk(alice, TOKEN, "approve", [spender.address, dec("50000")]);
    expect(decodeEvents(a.receipt, ["Approval"])[0]?.args).toEqual([low(alice), low(spender), dec("50000")]);
    const tf = await sendOk(spender, TOKEN, "transferFrom", [alice.address, bob.address, dec("30000")]);
    expect(decodeEvents(tf.receipt, ["Transfer"])[0]?.args).toEqual([low(alice), low(bob), dec("30000")]);
    expect(await view(provider, TOKEN, "allowance", [alice.address, spender.address])).toBe(dec("20000"));
    expect(await view(provider, TOKEN, "balanceOf", [alice.address])).toBe(dec("220000"));
    expect(await view(provider, TOKEN, "balanceOf", [bob.address])).toBe(dec("30000"));
    // beyond the allowance: status 0, nothing moves
    const over = await send(spender, TOKEN, "transferFrom", [alice.address, bob.address, dec("20001")], {
      gasLimit: GAS,
    });
    expect(over.receipt.status).toBe(0);
    expect(await view(provider, TOKEN, "balanceOf", [bob.address])).toBe(dec("30000"));

    // 10 LVO shared pro rata over 1,000,000 LVA: 7.5 / 2.2 / 0.3 LVO
    const payerBefore = await bal(payer);
    const d = await sendOk(payer, TOKEN, "distribute", [], { value: lvo("10") });
    expect(await bal(payer)).toBe(payerBefore - lvo("10") - d.fee);
    expect(await bal(TOKEN)).toBe(lvo("10"));
    expect(decodeEvents(d.receipt, ["Dividend"])[0]?.args).toEqual([
      low(payer),
      "lvo",
      dec("10"),
      dec("1000000"),
    ]);
    expect(await view(provider, TOKEN, "dividendsOf", [alice.address])).toEqual({
      lvo: dec("2.2"),
      token: "0",
    });
    expect(await view(provider, TOKEN, "dividendsOf", [owner.address])).toEqual({
      lvo: dec("7.5"),
      token: "0",
    });

    for (const [holder, due] of [
      [alice, "2.2"],
      [bob, "0.3"],
    ] as const) {
      const before = await bal(holder);
      const c = await sendOk(holder, TOKEN, "claim");
      expect(await bal(holder)).toBe(before + lvo(due) - c.fee);
      expect(decodeEvents(c.receipt, ["Claimed"])[0]?.args).toEqual([low(holder), dec(due), "0"]);
      expect(await view(provider, TOKEN, "dividendsOf", [holder.address])).toEqual({ lvo: "0", token: "0" });
    }
    // the owner's 7.5 LVO is still in the pool: the contract holds exactly what it owes
    expect(await bal(TOKEN)).toBe(lvo("7.5"));
    expect((await view<{ lvoPool: string }>(provider, TOKEN, "info")).lvoPool).toBe(dec("7.5"));
    const again = await send(bob, TOKEN, "claim", [], { gasLimit: GAS });
    expect(again.receipt.status).toBe(0);

    const logs = await provider.getLogs({ fromBlock: 0, address: TOKEN, topics: [eventTopic("Claimed")] });
    expect(logs.length).toBe(2);
  });

  it("token: a dividend paid in the asset itself (distributeToken), claimed by another holder", async () => {
    // holders now: owner 750,000, alice 220,000, bob 30,000 LVA; alice puts 200,000 in the pool,
    // shared over the 800,000 still eligible: 0.25 LVA per LVA held
    const [owner, alice, bob] = [w[0]!, w[1]!, w[3]!];
    const d = await sendOk(alice, TOKEN, "distributeToken", [dec("200000")]);
    expect(decodeEvents(d.receipt, ["Transfer", "Dividend"]).map((e) => [e.name, e.args])).toEqual([
      ["Transfer", [low(alice), low({ address: TOKEN }), dec("200000")]],
      ["Dividend", [low(alice), "token", dec("200000"), dec("800000")]],
    ]);
    expect(await view(provider, TOKEN, "balanceOf", [alice.address])).toBe(dec("20000"));
    expect(await view<Record<string, string>>(provider, TOKEN, "info")).toMatchObject({
      tokenPool: dec("200000"),
      eligibleSupply: dec("800000"),
    });
    expect(await view(provider, TOKEN, "dividendsOf", [owner.address])).toEqual({
      lvo: dec("7.5"),
      token: dec("187500"),
    });
    expect(await view(provider, TOKEN, "dividendsOf", [alice.address])).toEqual({
      lvo: "0",
      token: dec("5000"),
    });

    // bob claims: 7,500 LVA into his balance, no LVO (he claimed that already)
    const lvoBefore = await bal(bob);
    const c = await sendOk(bob, TOKEN, "claim");
    expect(decodeEvents(c.receipt, ["Transfer", "Claimed"]).map((e) => [e.name, e.args])).toEqual([
      ["Transfer", [low({ address: TOKEN }), low(bob), dec("7500")]],
      ["Claimed", [low(bob), "0", dec("7500")]],
    ]);
    expect(await bal(bob)).toBe(lvoBefore - c.fee);
    expect(await view(provider, TOKEN, "balanceOf", [bob.address])).toBe(dec("37500"));
    expect((await view<{ tokenPool: string }>(provider, TOKEN, "info")).tokenPool).toBe(dec("192500"));
    expect(await view(provider, TOKEN, "dividendsOf", [bob.address])).toEqual({ lvo: "0", token: "0" });
  });

  const VIDEO = keccak256(toUtf8Bytes("e2e video #1"));

  it("content: register, tip (creator gets exactly the tip), like, transferCopyright, provenance history", async () => {
    const [creator, fan, buyer] = [w[5]!, w[6]!, w[7]!];
    const r = await sendOk(creator, CONTENT, "register", [
      VIDEO,
      { title: "Sunset timelapse", duration: 93 },
    ]);
    expect(decodeEvents(r.receipt, ["Registered"])[0]?.args).toEqual([VIDEO, low(creator)]);
    expect(await view(provider, CONTENT, "ownerOf", [VIDEO])).toBe(low(creator));

    const creatorBefore = await bal(creator);
    const fanBefore = await bal(fan);
    const tip = await sendOk(fan, CONTENT, "tip", [VIDEO], { value: lvo("2.5") });
    expect(await bal(creator)).toBe(creatorBefore + lvo("2.5"));
    expect(await bal(fan)).toBe(fanBefore - lvo("2.5") - tip.fee);
    expect(await bal(CONTENT)).toBe(0n);
    expect(decodeEvents(tip.receipt, ["Tipped"])[0]?.args).toEqual([
      VIDEO,
      low(fan),
      low(creator),
      dec("2.5"),
    ]);

    const like = await sendOk(buyer, CONTENT, "like", [VIDEO]);
    expect(decodeEvents(like.receipt, ["Liked"])[0]?.args).toEqual([VIDEO, low(buyer), 1]);
    expect(await view(provider, CONTENT, "hasLiked", [VIDEO, buyer.address])).toBe(true);
    const twice = await send(buyer, CONTENT, "like", [VIDEO], { gasLimit: GAS });
    expect(twice.receipt.status).toBe(0);

    // only the owner transfers the copyright
    const notOwner = await send(fan, CONTENT, "transferCopyright", [VIDEO, fan.address], { gasLimit: GAS });
    expect(notOwner.receipt.status).toBe(0);
    const tc = await sendOk(creator, CONTENT, "transferCopyright", [VIDEO, buyer.address]);
    expect(decodeEvents(tc.receipt, ["CopyrightTransferred"])[0]?.args).toEqual([
      VIDEO,
      low(creator),
      low(buyer),
    ]);

    // tips now go to the new owner
    const buyerBefore = await bal(buyer);
    const creatorMid = await bal(creator);
    await sendOk(fan, CONTENT, "tip", [VIDEO], { value: lvo("1") });
    expect(await bal(buyer)).toBe(buyerBefore + lvo("1"));
    expect(await bal(creator)).toBe(creatorMid);

    const got = await view<Record<string, unknown>>(provider, CONTENT, "get", [VIDEO]);
    expect(got).toMatchObject({
      hash: VIDEO,
      owner: low(buyer),
      creator: low(creator),
      metadata: { title: "Sunset timelapse", duration: 93 },
      likes: 1,
      tips: 2,
      tipped: dec("3.5"),
      transfers: 1,
      historyLength: 4,
    });
    const h = await view<{ total: number; from: number; items: Array<Record<string, unknown>> }>(
      provider,
      CONTENT,
      "history",
      [VIDEO, 1, 10],
    );
    expect(h.total).toBe(4);
    expect(h.items.map(({ height, ...e }) => e)).toEqual([
      { kind: "register", by: low(creator) },
      { kind: "tip", from: low(fan), to: low(creator), amount: dec("2.5") },
      { kind: "transfer", from: low(creator), to: low(buyer) },
      { kind: "tip", from: low(fan), to: low(buyer), amount: dec("1") },
    ]);
    const heights = h.items.map((e) => e.height as number);
    expect(heights).toEqual([...heights].sort((x, y) => x - y));
    expect(heights[0]).toBe(r.receipt.blockNumber);
  });

  it("content: the owner licenses a video; only the owner may, and the license is in its history", async () => {
    // VIDEO is owned by w[7] since the copyright transfer; its creator w[5] no longer is the owner
    const [owner, creator, licensee] = [w[7]!, w[5]!, w[13]!];
    const terms = { use: "broadcast", region: "EU", days: 30 };
    await expect(
      view(provider, CONTENT, "license", [VIDEO, licensee.address, terms], creator.address),
    ).rejects.toThrow(/only the owner can license/);
    const refused = await send(creator, CONTENT, "license", [VIDEO, licensee.address, terms], {
      gasLimit: GAS,
    });
    expect(refused.receipt.status).toBe(0);
    expect(await view(provider, CONTENT, "licenseOf", [VIDEO, licensee.address])).toBeNull();

    const l = await sendOk(owner, CONTENT, "license", [VIDEO, licensee.address, terms]);
    expect(decodeEvents(l.receipt, ["Licensed"])[0]?.args).toEqual([VIDEO, low(owner), low(licensee), terms]);
    expect(await view(provider, CONTENT, "licenseOf", [VIDEO, licensee.address])).toEqual({
      terms,
      by: low(owner),
      height: l.receipt.blockNumber,
    });
    expect(await view(provider, CONTENT, "get", [VIDEO])).toMatchObject({ licenses: 1, historyLength: 5 });
    const h = await view<{ items: Array<Record<string, unknown>> }>(provider, CONTENT, "history", [
      VIDEO,
      5,
      1,
    ]);
    expect(h.items).toEqual([
      { kind: "license", by: low(owner), to: low(licensee), terms, height: l.receipt.blockNumber },
    ]);
  });

  it("escrow: open with value → markDelivered → confirm pays the merchant; a dispute decided by the delegate", async () => {
    const [buyer, merchant] = [w[8]!, w[9]!];
    const buyerBefore = await bal(buyer);
    const o = await sendOk(buyer, ESCROW, "open", [merchant.address, "order-1", 100, 100], {
      value: lvo("5"),
    });
    expect(await bal(buyer)).toBe(buyerBefore - lvo("5") - o.fee);
    const opened = decodeEvents(o.receipt, ["Opened"])[0]!;
    const id = opened.args[0] as number;
    expect(opened.args.slice(1, 5)).toEqual([low(buyer), low(merchant), dec("5"), "order-1"]);
    expect(await bal(ESCROW)).toBe(lvo("5"));

    // only the buyer confirms
    expect((await send(merchant, ESCROW, "confirm", [id], { gasLimit: GAS })).receipt.status).toBe(0);
    const md = await sendOk(merchant, ESCROW, "markDelivered", [id]);
    expect(decodeEvents(md.receipt, ["Delivered"])[0]?.args[0]).toBe(id);
    expect((await view<{ state: string }>(provider, ESCROW, "get", [id])).state).toBe("delivered");

    const merchantBefore = await bal(merchant);
    const c = await sendOk(buyer, ESCROW, "confirm", [id]);
    expect(await bal(merchant)).toBe(merchantBefore + lvo("5"));
    expect(decodeEvents(c.receipt, ["Settled"])[0]?.args).toEqual([
      id,
      "released",
      "0",
      dec("5"),
      "confirmed",
    ]);
    expect((await view<{ state: string }>(provider, ESCROW, "get", [id])).state).toBe("released");
    expect(await bal(ESCROW)).toBe(0n);

    // a dispute: the single active delegate's vote is more than 2/3 and refunds the buyer
    const o2 = await sendOk(buyer, ESCROW, "open", [merchant.address, "order-2", 100, 100], {
      value: lvo("4"),
    });
    const id2 = decodeEvents(o2.receipt, ["Opened"])[0]!.args[0] as number;
    expect(id2).toBe(id + 1);
    await sendOk(buyer, ESCROW, "dispute", [id2]);
    // a non-delegate cannot arbitrate
    const outsider = await send(w[10]!, ESCROW, "arbitrate", [id2, "buyer"], { gasLimit: GAS });
    expect(outsider.receipt.status).toBe(0);
    const buyerMid = await bal(buyer);
    const merchantMid = await bal(merchant);
    const arb = await sendOk(delegate, ESCROW, "arbitrate", [id2, "buyer"]);
    expect(decodeEvents(arb.receipt, ["Voted", "Settled"]).map((e) => [e.name, e.args])).toEqual([
      ["Voted", [id2, low(delegate), "buyer"]],
      ["Settled", [id2, "refunded", dec("4"), "0", "arbitration"]],
    ]);
    expect(await bal(buyer)).toBe(buyerMid + lvo("4"));
    expect(await bal(merchant)).toBe(merchantMid);
    expect(await view(provider, ESCROW, "voteOf", [id2, delegate.address])).toBe("buyer");
    expect(await view(provider, ESCROW, "stats")).toEqual({ orders: id2, locked: "0" });
    expect(await bal(ESCROW)).toBe(0n);
  });

  it("escrow: nothing delivered by the deadline, the buyer gets a refund (waiting for the height)", async () => {
    const [buyer, merchant] = [w[14]!, w[15]!];
    const o = await sendOk(buyer, ESCROW, "open", [merchant.address, "order-timeout", 8, 100], {
      value: lvo("2"),
    });
    const opened = decodeEvents(o.receipt, ["Opened"])[0]!;
    const id = opened.args[0] as number;
    const deadline = opened.args[5] as number;
    expect(deadline).toBe(o.receipt.blockNumber + 8);
    expect(await bal(ESCROW)).toBe(lvo("2"));
    // not yet: eth_call of refund reverts with the contract's message
    await expect(view(provider, ESCROW, "refund", [id], buyer.address)).rejects.toThrow(
      /delivery deadline not passed/,
    );

    await waitForHeight(provider, deadline + 1, 20_000);
    // too late for the merchant to mark delivery
    await expect(view(provider, ESCROW, "markDelivered", [id], merchant.address)).rejects.toThrow(
      /delivery deadline passed/,
    );
    const before = await bal(buyer);
    const r = await sendOk(buyer, ESCROW, "refund", [id]);
    expect(r.receipt.blockNumber).toBeGreaterThan(deadline);
    expect(await bal(buyer)).toBe(before + lvo("2") - r.fee);
    expect(decodeEvents(r.receipt, ["Settled"])[0]?.args).toEqual([
      id,
      "refunded",
      dec("2"),
      "0",
      "not delivered",
    ]);
    expect(await view(provider, ESCROW, "get", [id])).toMatchObject({
      state: "refunded",
      settledAt: r.receipt.blockNumber,
    });
    expect(await bal(ESCROW)).toBe(0n);
    expect((await view<{ locked: string }>(provider, ESCROW, "stats")).locked).toBe("0");
  });

  it("ads: a campaign pays a confirmed view to viewer and content owner; endCampaign after endHeight refunds the rest", async () => {
    // VIDEO is owned by w[7] since the copyright transfer
    const [advertiser, viewer, owner] = [w[10]!, w[11]!, w[7]!];
    const endHeight = (await provider.getBlockNumber()) + 14;
    const advBefore = await bal(advertiser);
    const cc = await sendOk(advertiser, ADS, "createCampaign", [VIDEO, dec("1"), 3000, endHeight], {
      value: lvo("3.5"),
    });
    expect(await bal(advertiser)).toBe(advBefore - lvo("3.5") - cc.fee);
    const created = decodeEvents(cc.receipt, ["CampaignCreated"])[0]!;
    const id = created.args[0] as number;
    expect(created.args.slice(1)).toEqual([low(advertiser), VIDEO, dec("1"), 3000, endHeight, dec("3.5")]);
    expect(await bal(ADS)).toBe(lvo("3.5"));

    // unregistered content is refused (checked through a nested call to the content registry)
    const unknown = await send(
      advertiser,
      ADS,
      "createCampaign",
      [keccak256(toUtf8Bytes("nope")), dec("1"), 3000, endHeight],
      { value: lvo("1"), gasLimit: GAS },
    );
    expect(unknown.receipt.status).toBe(0);

    const v1 = await sendOk(viewer, ADS, "confirmView", [id]);
    expect(decodeEvents(v1.receipt, ["ViewConfirmed"])[0]?.args).toEqual([id, low(viewer), "viewer"]);
    expect(await view(provider, ADS, "viewOf", [id, viewer.address])).toBe("viewer");

    const viewerBefore = await bal(viewer);
    const ownerBefore = await bal(owner);
    const v2 = await sendOk(owner, ADS, "confirmView", [id, viewer.address]);
    expect(await bal(viewer)).toBe(viewerBefore + lvo("0.3"));
    expect(await bal(owner)).toBe(ownerBefore + lvo("0.7") - v2.fee);
    expect(decodeEvents(v2.receipt, ["ViewConfirmed", "ViewPaid"]).map((e) => [e.name, e.args])).toEqual([
      ["ViewConfirmed", [id, low(viewer), "owner"]],
      ["ViewPaid", [id, low(viewer), low(owner), dec("0.3"), dec("0.7")]],
    ]);
    expect(await view(provider, ADS, "viewOf", [id, viewer.address])).toBe("paid");
    expect(await bal(ADS)).toBe(lvo("2.5"));

    // still running: eth_call of endCampaign reverts with the contract's message
    await expect(view(provider, ADS, "endCampaign", [id], advertiser.address)).rejects.toThrow(
      /campaign still running/,
    );
    await waitForHeight(provider, endHeight + 1, 20_000);
    const advMid = await bal(advertiser);
    const end = await sendOk(advertiser, ADS, "endCampaign", [id]);
    expect(await bal(advertiser)).toBe(advMid + lvo("2.5") - end.fee);
    expect(decodeEvents(end.receipt, ["CampaignEnded"])[0]?.args).toEqual([id, dec("2.5")]);
    expect(await view(provider, ADS, "get", [id])).toMatchObject({
      state: "ended",
      remaining: "0",
      spent: dec("1"),
      views: 1,
    });
    expect(await bal(ADS)).toBe(0n);
  });

  it("review: an own instance released through the Genesis contract; submit → 7 bids (+1 outbid) → votes → finalize → withdraw", async () => {
    const author = w[12]!;
    const source = contractSource("review");
    const BID_BLOCKS = 10;
    const VOTE_BLOCKS = 10;
    const p = await sendOk(
      author,
      GENESIS_CONTRACT,
      "propose",
      ["review-e2e", source, [dec("10"), dec("1"), BID_BLOCKS, VOTE_BLOCKS, 5000]],
      { value: DEVNET_PARAMS.proposalDeposit },
    );
    const pid = Number(
      toBigInt(
        p.receipt.logs.find((l) => l.topics[0] === eventTopic("ContractProposed(uint256,address,address)"))!
          .topics[1]!,
      ),
    );
    await sendOk(delegate, GENESIS_CONTRACT, "approve", [pid]);
    const proposal = await node.rpc<{ status: string; target: string }>("lvo_getProposal", [pid]);
    expect(proposal.status).toBe("released");
    const REVIEW = getAddress(proposal.target);
    expect(await view(provider, REVIEW, "stats")).toMatchObject({
      minStake: dec("10"),
      minBid: dec("1"),
      biddingBlocks: BID_BLOCKS,
      votingBlocks: VOTE_BLOCKS,
      slashBps: 5000,
      works: 0,
      locked: "0",
    });

    const workHash = keccak256(toUtf8Bytes("e2e paper"));
    const sub = await sendOk(author, REVIEW, "submit", [workHash, { title: "On video chains" }], {
      value: lvo("10"),
    });
    const submitted = decodeEvents(sub.receipt, ["Submitted"])[0]!;
    const workId = submitted.args[0] as number;
    const bidEnd = submitted.args[4] as number;
    expect(bidEnd).toBe(sub.receipt.blockNumber + BID_BLOCKS);

    // seven reviewers bid 1..7 LVO at once (explicit gas: the estimate was made on fewer seats)
    const reviewers = [1, 2, 3, 4, 5, 6, 7].map((i) => w[i]!);
    const before = new Map<string, bigint>();
    for (const r of [...reviewers, w[8]!, author]) before.set(r.address, await bal(r));
    const fees = new Map<string, bigint>([...before.keys()].map((a) => [a, 0n]));
    const addFee = (a: string, f: bigint): void => {
      fees.set(a, fees.get(a)! + f);
    };
    const bids = await Promise.all(
      reviewers.map((r, i) =>
        sendOk(r, REVIEW, "bid", [workId], { value: lvo(String(i + 1)), gasLimit: GAS }),
      ),
    );
    for (const [i, b] of bids.entries()) addFee(reviewers[i]!.address, b.fee);
    // an eighth bidder outbids the lowest seat (w[1], 1 LVO), who withdraws at once
    const late = await sendOk(w[8]!, REVIEW, "bid", [workId], { value: lvo("5"), gasLimit: GAS });
    addFee(w[8]!.address, late.fee);
    expect(decodeEvents(late.receipt, ["Outbid", "Bid"]).map((e) => [e.name, e.args])).toEqual([
      ["Outbid", [workId, low(w[1]!), dec("1")]],
      ["Bid", [workId, low(w[8]!), dec("5")]],
    ]);
    const out = await sendOk(w[1]!, REVIEW, "withdraw", [workId]);
    addFee(w[1]!.address, out.fee);
    expect(decodeEvents(out.receipt, ["Withdrawn"])[0]?.args).toEqual([workId, low(w[1]!), dec("1")]);
    expect(await view(provider, REVIEW, "bidOf", [workId, w[1]!.address])).toBeNull();
    expect(await bal(REVIEW)).toBe(lvo("10") + lvo("32"));
    expect(late.receipt.blockNumber).toBeLessThanOrEqual(bidEnd);

    // voting opens after bidEnd: w[2], w[3] reject, the other five approve → published
    await waitForHeight(provider, bidEnd + 1, 20_000);
    const seated = [w[2]!, w[3]!, w[4]!, w[5]!, w[6]!, w[7]!, w[8]!];
    const votes = await Promise.all(
      seated.map((r, i) => sendOk(r, REVIEW, "vote", [workId, i >= 2], { gasLimit: GAS })),
    );
    for (const [i, v] of votes.entries()) addFee(seated[i]!.address, v.fee);
    const fin = await sendOk(author, REVIEW, "finalize", [workId]);
    addFee(author.address, fin.fee);
    expect(decodeEvents(fin.receipt, ["Finalized"])[0]?.args).toEqual([workId, "published", 5, 2]);

    // minority cut 50%: 1 + 1.5 = 2.5 LVO shared by the five majority seats (0.5 each)
    const payout = new Map<string, string>([
      [w[2]!.address, "1"],
      [w[3]!.address, "1.5"],
      [w[4]!.address, "4.5"],
      [w[5]!.address, "5.5"],
      [w[6]!.address, "6.5"],
      [w[7]!.address, "7.5"],
      [w[8]!.address, "5.5"],
      [author.address, "10"],
    ]);
    const withdrawers = [...seated, author];
    const ws = await Promise.all(
      withdrawers.map((r) => sendOk(r, REVIEW, "withdraw", [workId], { gasLimit: GAS })),
    );
    for (const [i, r] of withdrawers.entries()) {
      addFee(r.address, ws[i]!.fee);
      expect(decodeEvents(ws[i]!.receipt, ["Withdrawn"])[0]?.args).toEqual([
        workId,
        low(r),
        dec(payout.get(r.address)!),
      ]);
    }
    // every account's net: payout − bid (or stake) − fees
    const bidOf = (a: string) => {
      const i = reviewers.findIndex((r) => r.address === a);
      // the author's stake left before the snapshot
      return i >= 0 ? lvo(String(i + 1)) : a === w[8]!.address ? lvo("5") : 0n;
    };
    for (const a of before.keys()) {
      const got = a === w[1]!.address ? lvo("1") : lvo(payout.get(a)!);
      expect(await bal(a)).toBe(before.get(a)! - bidOf(a) + got - fees.get(a)!);
    }
    expect(await bal(REVIEW)).toBe(0n);
    expect((await view<{ locked: string }>(provider, REVIEW, "stats")).locked).toBe("0");
    const work = await view<{ outcome: string; yes: number; no: number; authorPaid: boolean }>(
      provider,
      REVIEW,
      "get",
      [workId],
    );
    expect(work).toMatchObject({ outcome: "published", yes: 5, no: 2, authorPaid: true });
  });

  it("the supply is unchanged after all of it", async () => {
    const supply = await node.rpc<{ total: string }>("lvo_getSupply");
    expect(toBigInt(supply.total)).toBe(10n ** 27n);
  });
});
