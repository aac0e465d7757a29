/** The figures the fleet table sorts by. */
export interface SortableDevice {
  id: string;
  online: boolean;
  lastSeen: string;
  signalCount: number;
  totalDistanceMeters: number;
  maxSpeed: number;
}

export type FleetSortKey = 'id' | 'online' | 'lastSeen' | 'signalCount' | 'totalDistanceMeters' | 'maxSpeed';
export type SortDirection = 'ascending' | 'descending';

export interface FleetSort {
  key: FleetSortKey;
  direction: SortDirection;
}

function compareBy(key: FleetSortKey, a: SortableDevice, b: SortableDevice): number {
  switch (key) {
    case 'id':
      return a.id.localeCompare(b.id);
    case 'online':
      return Number(a.online) - Number(b.online);
    case 'lastSeen':
      return Date.parse(a.lastSeen) - Date.parse(b.lastSeen);
    case 'signalCount':
      return a.signalCount - b.signalCount;
    case 'totalDistanceMeters':
      return a.totalDistanceMeters - b.totalDistanceMeters;
    case 'maxSpeed':
      return a.maxSpeed - b.maxSpeed;
  }
}

/** Devices in the chosen order; ties broken by id so rows never swap places on refresh. */
export function sortFleet<Device extends SortableDevice>(devices: Iterable<Device>, sort: FleetSort): Device[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...devices].sort((a, b) => sign * compareBy(sort.key, a, b) || a.id.localeCompare(b.id));
}

/** The sort after a column header is chosen: the same column flips, a new one starts descending (ids ascending). */
export function nextSort(current: FleetSort, key: FleetSortKey): FleetSort {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { key, direction: key === 'id' ? 'ascending' : 'descending' };
}
