// What the generated types must refuse: a ride without its title, a pace class the API
// does not know. tests/unit/test_typescript_client.py expects tsc to fail on both.
import type { components } from "./generated/api";

type RideCreate = components["schemas"]["RideCreate"];

const where = { name: "Centennial Park", lat: -33.899, lon: 151.232 };

export const untitled: RideCreate = {
  start_at: "2027-03-06T19:30:00Z",
  estimated_duration_min: 120,
  meeting_point: where,
  distance_km: 62,
  surface: "road",
  pace_class: "B",
  drop_policy: "regroup",
};

export const unknownPace: RideCreate = {
  title: "Saturday bunch",
  start_at: "2027-03-06T19:30:00Z",
  estimated_duration_min: 120,
  meeting_point: where,
  distance_km: 62,
  surface: "road",
  pace_class: "Z",
  drop_policy: "regroup",
};
