import { EventEmitter } from 'node:events';
import type { EventBus } from '../../ports/event-bus.ts';

/** The in-process event bus: one server process shares its events with its own subscribers. */
export function memoryEventBus(): EventBus {
  const emitter = new EventEmitter();
  // Every subscriber is a listener; thousands of them are expected, not a leak.
  emitter.setMaxListeners(0);
  return {
    publish: (topic, payload) => void emitter.emit(topic, payload),
    subscribe(topic, listener) {
      emitter.on(topic, listener);
      return () => void emitter.off(topic, listener);
    },
  };
}
