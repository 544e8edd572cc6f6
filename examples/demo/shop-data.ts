// The demo shop's data: tickets to answer and what the tools know.

export interface Ticket {
  id: string;
  customerId: string;
  text: string;
}

export const tickets: Ticket[] = [
  { id: 'T-1041', customerId: 'C-17', text: 'Where is my order #A-1001? It was due on Monday. (customer C-17)' },
  { id: 'T-1042', customerId: 'C-23', text: 'My parcel #A-1002 is late again, I want a refund. (customer C-23)' },
  { id: 'T-1043', customerId: 'C-31', text: 'Has order #A-1003 shipped yet? (customer C-31)' },
];

export const orders: Record<string, { status: string; tracking?: string; carrier?: string }> = {
  'A-1001': { status: 'delayed', tracking: 'PX-448-210', carrier: 'ParcelX' },
  'A-1002': { status: 'delayed', tracking: 'PX-448-977', carrier: 'ParcelX' },
  'A-1003': { status: 'shipped', tracking: 'DL-120-554', carrier: 'Delivro' },
};

export const customers: Record<string, { tickets: number; tier: string }> = {
  'C-17': { tickets: 1, tier: 'standard' },
  'C-23': { tickets: 4, tier: 'gold' },
  'C-31': { tickets: 0, tier: 'standard' },
};

export const helpCenter = [
  { id: 'kb-12', title: 'Delivery times by carrier', topics: ['delivery times'] },
  { id: 'kb-31', title: 'Refunds for late deliveries: full refund after 5 days late', topics: ['refund policy'] },
  { id: 'kb-40', title: 'Managing your account', topics: ['account help'] },
];
