/**
 * Plain objects keyed by names a caller chose (attribute names, tags, headers, query parameters, JSON
 * fields of an event): read and write them by their own members only. `obj[name]` answers what every
 * object inherits for `constructor`, `toString`, `valueOf` and the like when the object has no such
 * member, and assigning `obj["__proto__"]` replaces the object's prototype instead of adding an entry.
 * (A Map, or an object made with `Object.create(null)`, needs neither.)
 */

/** The object's own member `name`, or undefined: never an inherited one. */
export function ownValue<T>(map: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/** Sets `name` as the object's own member, whatever the name (`__proto__` included). */
export function setOwn<T>(map: Record<string, T>, name: string, value: T): void {
  if (name === "__proto__") Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
  else map[name] = value;
}
