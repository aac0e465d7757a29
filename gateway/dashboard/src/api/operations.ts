import { graphql } from '../gql';

// Every operation the dashboard sends. Each is a typed document generated from schema/schema.graphql,
// so a schema change that breaks one fails the typecheck and `graphql-codegen --check`.

export const SignInProbeQuery = graphql(`
  query SignInProbe {
    devices(first: 1) {
      pageInfo {
        hasNextPage
      }
    }
  }
`);

export const FleetPageQuery = graphql(`
  query FleetPage($first: Int!, $after: String) {
    devices(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          online
          firstSeen
          lastSeen
          signalCount
          totalDistanceMeters
          maxSpeed
          lastPosition {
            time
            lat
            lon
            speed
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const FleetDeviceQuery = graphql(`
  query FleetDevice($id: ID!) {
    device(id: $id) {
      id
      online
      firstSeen
      lastSeen
      signalCount
      totalDistanceMeters
      maxSpeed
      lastPosition {
        time
        lat
        lon
        speed
      }
    }
  }
`);

export const SignalsPageQuery = graphql(`
  query SignalsPage($filter: SignalFilter, $first: Int!, $after: String) {
    signals(filter: $filter, first: $first, after: $after, orderBy: TIME_DESC) {
      edges {
        cursor
        node {
          id
          deviceId
          time
          ingestedAt
          dataLength
          dataVolume
          stats {
            distanceMeters
            maxSpeed
            avgSpeed
            durationMs
            droppedSamples
          }
          bbox {
            minLat
            maxLat
            minLon
            maxLon
          }
          end {
            time
            lat
            lon
            speed
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const LiveSignalsSubscription = graphql(`
  subscription LiveSignals($deviceIds: [ID!], $bbox: BBoxInput, $since: ID) {
    signalProcessed(deviceIds: $deviceIds, bbox: $bbox, since: $since) {
      id
      deviceId
      time
      ingestedAt
      dataLength
      dataVolume
      stats {
        distanceMeters
        maxSpeed
        avgSpeed
        durationMs
        droppedSamples
      }
      bbox {
        minLat
        maxLat
        minLon
        maxLon
      }
      end {
        time
        lat
        lon
        speed
      }
    }
  }
`);

export const LivePositionsSubscription = graphql(`
  subscription LivePositions($deviceIds: [ID!]) {
    devicePosition(deviceIds: $deviceIds) {
      deviceId
      signalId
      position {
        time
        lat
        lon
        speed
      }
    }
  }
`);

export const SignalDetailQuery = graphql(`
  query SignalDetail($id: ID!, $maxPoints: Int) {
    signal(id: $id) {
      id
      deviceId
      time
      ingestedAt
      dataLength
      dataVolume
      stats {
        distanceMeters
        maxSpeed
        avgSpeed
        durationMs
        droppedSamples
      }
      bbox {
        minLat
        maxLat
        minLon
        maxLon
      }
      start {
        time
        lat
        lon
        speed
      }
      end {
        time
        lat
        lon
        speed
      }
      points(maxPoints: $maxPoints) {
        time
        lat
        lon
        speed
      }
    }
  }
`);

export const DeviceOverviewQuery = graphql(`
  query DeviceOverview($id: ID!, $first: Int!, $after: String) {
    device(id: $id) {
      id
      online
      firstSeen
      lastSeen
      signalCount
      totalDistanceMeters
      maxSpeed
      lastPosition {
        time
        lat
        lon
        speed
      }
      signals(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            time
            ingestedAt
            dataLength
            dataVolume
            stats {
              distanceMeters
              maxSpeed
            }
            end {
              time
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const DeviceRangeQuery = graphql(`
  query DeviceRange($deviceId: ID!, $from: DateTime!, $to: DateTime!, $maxPoints: Int!) {
    deviceStats(deviceId: $deviceId, from: $from, to: $to) {
      signalCount
      dataVolume
      distanceMeters
      maxSpeed
      avgSpeed
      firstSeen
      lastSeen
    }
    trends(from: $from, to: $to, bucket: HOUR, deviceId: $deviceId) {
      bucketStart
      count
      dataVolume
      distanceMeters
      maxSpeed
    }
    track(deviceId: $deviceId, from: $from, to: $to, maxPoints: $maxPoints) {
      time
      lat
      lon
      speed
    }
  }
`);

export const MapTrackQuery = graphql(`
  query MapTrack($deviceId: ID!, $from: DateTime!, $to: DateTime!, $maxPoints: Int!) {
    track(deviceId: $deviceId, from: $from, to: $to, maxPoints: $maxPoints) {
      time
      lat
      lon
      speed
    }
  }
`);

export const LatestSignalTimeQuery = graphql(`
  query LatestSignalTime($id: ID!) {
    device(id: $id) {
      id
      signals(first: 1) {
        edges {
          node {
            id
            time
            end {
              time
            }
          }
        }
      }
    }
  }
`);
