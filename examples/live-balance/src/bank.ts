import type { Transaction } from './events';

/** Transactions kept per account (the newest). */
const KEEP = 50;

interface Account {
  id: string;
  owner: string;
  balance: number;
  transactions: Transaction[];
}

/**
 * The seed's bank backend (reached through `SocketBridge.send_command`) as an in-memory store:
 * one account per customer, balances in cents. The hub pushes changes; this answers
 * `GET /api/account`, the state a page loads first and reloads after a reset.
 */
export class Bank {
  private readonly accounts = new Map<string, Account>();
  private seq = 0;
  /** Operations since the last {@link takeRecentOperations}. */
  private recent = 0;
  totalOperations = 0;

  /** Open `accountId` for `owner` with an opening balance in cents. */
  open(owner: string, accountId: string, balance: number): void {
    this.accounts.set(owner, {
      id: accountId,
      owner,
      balance,
      transactions: [],
    });
  }

  /** The owner's account, if they have one. */
  accountOf(owner: string): Readonly<Account> | undefined {
    return this.accounts.get(owner);
  }

  /** Apply a deposit or withdrawal; `undefined` when the owner has no account or too little. */
  apply(owner: string, kind: Transaction['kind'], amount: number): Transaction | undefined {
    const account = this.accounts.get(owner);
    if (!account) return undefined;
    const balance = account.balance + (kind === 'deposit' ? amount : -amount);
    if (balance < 0) return undefined;
    account.balance = balance;
    const transaction: Transaction = {
      id: `t${++this.seq}`,
      kind,
      amount,
      balance,
      by: owner,
      at: new Date().toISOString(),
    };
    account.transactions.unshift(transaction);
    if (account.transactions.length > KEEP) account.transactions.length = KEEP;
    this.recent++;
    this.totalOperations++;
    return transaction;
  }

  /** Operations since the previous call. */
  takeRecentOperations(): number {
    const recent = this.recent;
    this.recent = 0;
    return recent;
  }

  /** The sum of every balance, in cents. */
  totalBalance(): number {
    let total = 0;
    for (const account of this.accounts.values()) total += account.balance;
    return total;
  }
}
