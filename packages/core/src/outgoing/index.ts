export {
  type Destination,
  type DestinationPattern,
  type DestinationPolicy,
  isInternalHost,
} from './destinations.js';
export { installOutgoingPropagation } from './install.js';
export type { OutgoingOptions } from './options.js';
export type { ClientLabel } from './record.js';
