import { useEffect, useState } from "react";

/**
 * The console's pages, addressed by the URL's hash ("#/events/3"): the gateway serves one page at /, so the
 * hash keeps every view linkable, reloadable and reachable with the browser's back button.
 */
export type Route =
  | { page: "board" }
  | { page: "incidents"; id?: string }
  | { page: "regions" }
  | { page: "directory" }
  | { page: "organization"; id: string }
  | { page: "events" }
  | { page: "event"; id: string };

/** The route a hash names; an unknown hash is the alert board. */
export function parseRoute(hash: string): Route {
  const [section, id] = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  switch (section) {
    case "incidents":
      return id ? { page: "incidents", id } : { page: "incidents" };
    case "regions":
      return { page: "regions" };
    case "directory":
      return { page: "directory" };
    case "organizations":
      return id ? { page: "organization", id } : { page: "directory" };
    case "events":
      return id ? { page: "event", id } : { page: "events" };
    default:
      return { page: "board" };
  }
}

/** The hash of a route, for links. */
export function href(route: Route): string {
  switch (route.page) {
    case "board":
      return "#/";
    case "incidents":
      return route.id ? `#/incidents/${encodeURIComponent(route.id)}` : "#/incidents";
    case "organization":
      return `#/organizations/${encodeURIComponent(route.id)}`;
    case "event":
      return `#/events/${encodeURIComponent(route.id)}`;
    default:
      return `#/${route.page}`;
  }
}

/** The current route, following the hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  return route;
}

export function go(route: Route): void {
  location.hash = href(route);
}
