// A client team's first calls, typed from the API's OpenAPI document: generated with
// openapi-typescript and called through openapi-fetch (the common choice for web and
// React Native apps). tests/unit/test_typescript_client.py type-checks it with
// `tsc --strict`; it is never run.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Schemas = components["schemas"];

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:3000" });
const auth = (token: string) => ({ Authorization: token });

export async function nearbyClubNames(token: string): Promise<string[]> {
  const { data, error } = await client.GET("/clubs", {
    params: { query: { limit: 20 } },
    headers: auth(token),
  });
  if (error) throw new Error(error.error.code);
  return data.items.map((club: Schemas["Club"]) => club.name);
}

export async function planSaturdayBunch(token: string, clubId: string): Promise<string> {
  // Only what a ride needs: the fields with defaults (description, elevation_gain_m,
  // waitlist_enabled, visibility...) may be left out.
  const ride: Schemas["RideCreate"] = {
    title: "Saturday bunch",
    start_at: "2027-03-06T19:30:00Z",
    estimated_duration_min: 120,
    meeting_point: { name: "Centennial Park", lat: -33.899, lon: 151.232 },
    distance_km: 62,
    surface: "road",
    pace_class: "B",
    drop_policy: "regroup",
  };
  const { data, error } = await client.POST("/clubs/{club_id}/rides", {
    params: { path: { club_id: clubId } },
    headers: { ...auth(token), "Idempotency-Key": "saturday-bunch-2027-03-06" },
    body: ride,
  });
  if (error) throw new Error(`${error.error.code}: ${error.error.message}`);
  // What the server always sends is not optional in the answer.
  const places: number | null = data.capacity ?? null;
  console.log(data.description.length, data.visibility, places);
  return data.ride_id;
}

export async function joinRide(token: string, rideId: string): Promise<Schemas["ParticipationStatus"]> {
  const { data, error } = await client.POST("/rides/{ride_id}/participations", {
    params: { path: { ride_id: rideId } },
    headers: auth(token),
  });
  if (error) throw new Error(error.error.code);
  return data.status;
}
