//! Where the map is: a lon/lat box, its Lambert azimuthal equal-area plane
//! (centred on the box) and the pixels it is drawn on.

use chrono::NaiveDate;
use frontline::geometry::LocalProjection;
use frontline::Atlas;
use geo::{BoundingRect, Coord, Rect};

use crate::{RenderError, Result};

/// A lon/lat bounding box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    /// West edge, degrees.
    pub lon_min: f64,
    /// South edge, degrees.
    pub lat_min: f64,
    /// East edge, degrees.
    pub lon_max: f64,
    /// North edge, degrees.
    pub lat_max: f64,
}

impl BBox {
    /// Checks ranges and order.
    ///
    /// ```
    /// use frontline_render::BBox;
    /// assert!(BBox::new(45.0, 38.5, 48.0, 41.0).is_ok());
    /// assert!(BBox::new(48.0, 38.5, 45.0, 41.0).is_err());
    /// ```
    pub fn new(lon_min: f64, lat_min: f64, lon_max: f64, lat_max: f64) -> Result<BBox> {
        let b = BBox {
            lon_min,
            lat_min,
            lon_max,
            lat_max,
        };
        let finite = [lon_min, lat_min, lon_max, lat_max]
            .iter()
            .all(|v| v.is_finite());
        let in_range = (-180.0..=180.0).contains(&lon_min)
            && (-180.0..=180.0).contains(&lon_max)
            && (-90.0..=90.0).contains(&lat_min)
            && (-90.0..=90.0).contains(&lat_max);
        if !finite || !in_range || lon_min >= lon_max || lat_min >= lat_max {
            return Err(RenderError::BadBBox(format!(
                "{lon_min},{lat_min},{lon_max},{lat_max}"
            )));
        }
        Ok(b)
    }

    /// Parses `lon_min,lat_min,lon_max,lat_max`.
    ///
    /// ```
    /// let b: frontline_render::BBox = "45,38.5,48,41".parse().unwrap();
    /// assert_eq!(b.lat_max, 41.0);
    /// ```
    pub fn parse(text: &str) -> Result<BBox> {
        let values: Vec<f64> = text
            .split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| RenderError::BadBBox(text.to_owned()))?;
        match values.as_slice() {
            [a, b, c, d] => BBox::new(*a, *b, *c, *d),
            _ => Err(RenderError::BadBBox(text.to_owned())),
        }
    }

    /// The area where control ever changes in the dataset, with a 15 %
    /// margin: the bounding box of the zones of every controller whose ground
    /// differs from one snapshot to another, except the largest controller
    /// (the backdrop; ranked by planar lon/lat area, which is enough to
    /// rank) unless it is the only one. Falls back to the region.
    pub fn conflict_area(atlas: &Atlas) -> Result<BBox> {
        let snapshots: Vec<&frontline::Snapshot> = atlas
            .snapshots()
            .iter()
            .map(|s| atlas.snapshot(&s.id))
            .collect::<frontline::Result<_>>()?;
        BBox::framing(atlas, &snapshots)
    }

    /// The area where control changes between two dates, framed as
    /// [`BBox::conflict_area`] frames the whole dataset, from the snapshots
    /// in force on some day of `from..=to` only; the region when nothing
    /// changes then.
    ///
    /// # Errors
    ///
    /// A reversed interval, a start before the first snapshot, or a
    /// snapshot that cannot be read.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let war = frontline_render::BBox::conflict_area_between(
    ///     &atlas, parse_date("2020-09-27")?, parse_date("2020-11-10")?)?;
    /// // Nagorno-Karabakh and the districts around it, from Kalbajar to the Aras.
    /// assert!(war.lon_min > 45.0 && war.lon_max < 48.0);
    /// assert!(war.lat_min > 38.0 && war.lat_max < 41.0);
    /// # Ok::<(), frontline_render::RenderError>(())
    /// ```
    pub fn conflict_area_between(atlas: &Atlas, from: NaiveDate, to: NaiveDate) -> Result<BBox> {
        if from > to {
            return Err(frontline::Error::ReversedInterval { from, to }.into());
        }
        let first = atlas.at(from)?.snapshot.date;
        let snapshots: Vec<&frontline::Snapshot> = atlas
            .snapshots()
            .iter()
            .filter(|s| s.date >= first && s.date <= to)
            .map(|s| atlas.snapshot(&s.id))
            .collect::<frontline::Result<_>>()?;
        BBox::framing(atlas, &snapshots)
    }

    fn framing(atlas: &Atlas, snapshots: &[&frontline::Snapshot]) -> Result<BBox> {
        let largest = atlas
            .controllers()
            .iter()
            .max_by(|a, b| {
                let area = |c: &str| {
                    snapshots
                        .iter()
                        .filter_map(|s| s.zone(c))
                        .map(|z| geo::Area::unsigned_area(&z.shape))
                        .fold(0.0, f64::max)
                };
                area(&a.id).total_cmp(&area(&b.id))
            })
            .map(|c| c.id.clone());
        let mut rect: Option<Rect<f64>> = None;
        fn grow(rect: &mut Option<Rect<f64>>, r: Rect<f64>) {
            *rect = Some(match *rect {
                None => r,
                Some(a) => Rect::new(
                    Coord {
                        x: a.min().x.min(r.min().x),
                        y: a.min().y.min(r.min().y),
                    },
                    Coord {
                        x: a.max().x.max(r.max().x),
                        y: a.max().y.max(r.max().y),
                    },
                ),
            })
        }
        for controller in atlas.controllers() {
            // The largest is the backdrop, unless it is all there is.
            if Some(&controller.id) == largest.as_ref() && atlas.controllers().len() > 1 {
                continue;
            }
            let zones: Vec<Option<&frontline::Zone>> =
                snapshots.iter().map(|s| s.zone(&controller.id)).collect();
            let constant = zones.windows(2).all(|w| match (w[0], w[1]) {
                (Some(a), Some(b)) => a.shape == b.shape,
                (None, None) => true,
                _ => false,
            });
            if constant {
                continue;
            }
            for zone in zones.into_iter().flatten() {
                if let Some(r) = zone.shape.bounding_rect() {
                    grow(&mut rect, r);
                }
            }
        }
        if rect.is_none() {
            for territory in atlas.territories() {
                if let Some(r) = territory.shape.bounding_rect() {
                    grow(&mut rect, r);
                }
            }
        }
        let rect =
            rect.ok_or_else(|| RenderError::BadBBox("the dataset has no ground to frame".into()))?;
        let (dx, dy) = (rect.width() * 0.15, rect.height() * 0.15);
        BBox::new(
            rect.min().x - dx,
            rect.min().y - dy,
            rect.max().x + dx,
            rect.max().y + dy,
        )
    }

    /// Centre, lon/lat.
    pub fn centre(&self) -> Coord<f64> {
        Coord {
            x: (self.lon_min + self.lon_max) / 2.0,
            y: (self.lat_min + self.lat_max) / 2.0,
        }
    }
}

impl std::str::FromStr for BBox {
    type Err = RenderError;

    fn from_str(text: &str) -> Result<BBox> {
        BBox::parse(text)
    }
}

/// The plane a map is drawn in: the built-in Lambert azimuthal equal-area
/// centred on the map, or (with the `proj` feature) any CRS PROJ knows.
#[derive(Debug)]
pub enum Plane {
    /// Pure-Rust LAEA centred on the map.
    Local(LocalProjection),
    /// The real PROJ, from WGS 84 lon/lat to the CRS given.
    #[cfg(feature = "proj")]
    Proj {
        /// Lon/lat to the CRS.
        forward: proj::Proj,
        /// The CRS to lon/lat.
        inverse: proj::Proj,
        /// The definition given (PROJ string or AUTHORITY:CODE).
        definition: String,
    },
}

impl Plane {
    /// The plane for a map centred on `centre`: `definition` (a PROJ string
    /// or EPSG code) needs the `proj` feature; `None` is the built-in LAEA.
    pub fn new(centre: Coord<f64>, definition: Option<&str>) -> Result<Plane> {
        match definition {
            None => Ok(Plane::Local(LocalProjection::new(centre.x, centre.y)?)),
            #[cfg(feature = "proj")]
            Some(definition) => {
                let error = |e: proj::ProjCreateError| RenderError::Projection(format!("{definition:?}: {e}"));
                let forward = proj::Proj::new_known_crs("EPSG:4326", definition, None).map_err(error)?;
                let inverse = proj::Proj::new_known_crs(definition, "EPSG:4326", None).map_err(error)?;
                Ok(Plane::Proj { forward, inverse, definition: definition.to_owned() })
            }
            #[cfg(not(feature = "proj"))]
            Some(definition) => Err(RenderError::Projection(format!("{definition:?}: this build has only the built-in Lambert azimuthal equal-area; build with `--features proj` for any PROJ string or EPSG code"))),
        }
    }

    /// Lon/lat degrees to plane units (metres for projected CRSs).
    pub fn forward(&self, c: Coord<f64>) -> Result<Coord<f64>> {
        match self {
            Plane::Local(p) => Ok(p.forward(c)?),
            #[cfg(feature = "proj")]
            Plane::Proj { forward, .. } => forward
                .convert((c.x, c.y))
                .map(|(x, y)| Coord { x, y })
                .map_err(|e| RenderError::Projection(e.to_string())),
        }
    }

    /// Plane units to lon/lat degrees.
    pub fn inverse(&self, c: Coord<f64>) -> Result<Coord<f64>> {
        match self {
            Plane::Local(p) => Ok(p.inverse(c)?),
            #[cfg(feature = "proj")]
            Plane::Proj { inverse, .. } => inverse
                .convert((c.x, c.y))
                .map(|(x, y)| Coord { x, y })
                .map_err(|e| RenderError::Projection(e.to_string())),
        }
    }

    /// One line for the attribution.
    pub fn describe(&self) -> String {
        match self {
            Plane::Local(p) => format!(
                "Lambert azimuthal equal-area centred at {:.2}° E {:.2}° N",
                p.centre().x,
                p.centre().y
            ),
            #[cfg(feature = "proj")]
            Plane::Proj { definition, .. } => format!("{definition} (PROJ)"),
        }
    }
}

/// The pixels a map is drawn on and how lon/lat gets there.
#[derive(Debug)]
pub struct Frame {
    /// Canvas width, px.
    pub width: u32,
    /// Canvas height, px.
    pub height: u32,
    /// The map's plane.
    pub plane: Plane,
    /// Pixels per plane metre.
    pub scale: f64,
    /// Plane coordinates of the canvas centre.
    centre: Coord<f64>,
    /// Map area, px: left, top, right, bottom.
    pub map_area: (f64, f64, f64, f64),
}

impl Frame {
    /// The frame that shows `bbox` whole in the map area of a canvas of
    /// `width` × `height` px (the map keeps its shape: more ground is shown
    /// on the long side).
    pub fn new(bbox: BBox, width: u32, height: u32, top: f64, bottom: f64) -> Result<Frame> {
        Frame::with_plane(bbox, width, height, top, bottom, None)
    }

    /// Like [`Frame::new`], in the plane `projection` names (see [`Plane::new`]).
    pub fn with_plane(
        bbox: BBox,
        width: u32,
        height: u32,
        top: f64,
        bottom: f64,
        projection: Option<&str>,
    ) -> Result<Frame> {
        if !(200..=10_000).contains(&width) || !(200..=10_000).contains(&height) {
            return Err(RenderError::BadSize(width, height));
        }
        let projection = Plane::new(bbox.centre(), projection)?;
        let (mut min, mut max) = (
            Coord {
                x: f64::MAX,
                y: f64::MAX,
            },
            Coord {
                x: f64::MIN,
                y: f64::MIN,
            },
        );
        for i in 0..=20 {
            let t = i as f64 / 20.0;
            for (lon, lat) in [
                (
                    bbox.lon_min + t * (bbox.lon_max - bbox.lon_min),
                    bbox.lat_min,
                ),
                (
                    bbox.lon_min + t * (bbox.lon_max - bbox.lon_min),
                    bbox.lat_max,
                ),
                (
                    bbox.lon_min,
                    bbox.lat_min + t * (bbox.lat_max - bbox.lat_min),
                ),
                (
                    bbox.lon_max,
                    bbox.lat_min + t * (bbox.lat_max - bbox.lat_min),
                ),
            ] {
                let p = projection.forward(Coord { x: lon, y: lat })?;
                min = Coord {
                    x: min.x.min(p.x),
                    y: min.y.min(p.y),
                };
                max = Coord {
                    x: max.x.max(p.x),
                    y: max.y.max(p.y),
                };
            }
        }
        let map_area = (0.0, top, width as f64, height as f64 - bottom);
        let (w, h) = (map_area.2 - map_area.0, map_area.3 - map_area.1);
        let scale = (w / (max.x - min.x)).min(h / (max.y - min.y));
        let centre = Coord {
            x: (min.x + max.x) / 2.0,
            y: (min.y + max.y) / 2.0,
        };
        if !(scale.is_finite() && scale > 0.0) {
            return Err(RenderError::Projection(
                "the projection maps the bbox to nothing usable".into(),
            ));
        }
        Ok(Frame {
            width,
            height,
            plane: projection,
            scale,
            centre,
            map_area,
        })
    }

    /// Lon/lat to pixel (x right, y down), unrounded.
    pub fn pixel(&self, lonlat: Coord<f64>) -> Coord<f64> {
        let p = self.plane.forward(lonlat).unwrap_or(Coord {
            x: f64::NAN,
            y: f64::NAN,
        });
        self.plane_to_pixel(p)
    }

    /// Plane metres to pixel.
    pub fn plane_to_pixel(&self, p: Coord<f64>) -> Coord<f64> {
        let (cx, cy) = (
            (self.map_area.0 + self.map_area.2) / 2.0,
            (self.map_area.1 + self.map_area.3) / 2.0,
        );
        Coord {
            x: cx + (p.x - self.centre.x) * self.scale,
            y: cy - (p.y - self.centre.y) * self.scale,
        }
    }

    /// Metres on the ground per pixel at the map centre, measured along a
    /// 1-km geodesic east of it (true for any projection).
    pub fn metres_per_px_at_centre(&self) -> f64 {
        use geo::{Destination, Geodesic, Point};
        let centre = self.centre_lonlat();
        let east = Geodesic.destination(Point(centre), 90.0, 1000.0);
        let (a, b) = (self.pixel(centre), self.pixel(east.0));
        1000.0 / (b.x - a.x).hypot(b.y - a.y)
    }

    /// The direction of north at the map centre, as a unit pixel vector.
    pub fn north_at_centre(&self) -> (f64, f64) {
        use geo::{Destination, Geodesic, Point};
        let centre = self.centre_lonlat();
        let north = Geodesic.destination(Point(centre), 0.0, 1000.0);
        let (a, b) = (self.pixel(centre), self.pixel(north.0));
        let length = (b.x - a.x).hypot(b.y - a.y);
        ((b.x - a.x) / length, (b.y - a.y) / length)
    }

    fn centre_lonlat(&self) -> Coord<f64> {
        self.plane.inverse(self.centre).unwrap_or(self.centre)
    }

    /// The lon/lat box the map area shows (slightly larger than asked where
    /// the canvas's shape differs from the box's), for clipping.
    pub fn visible(&self) -> Rect<f64> {
        let (l, t, r, b) = self.map_area;
        let corners = [
            (l, t),
            (r, t),
            (l, b),
            (r, b),
            ((l + r) / 2.0, t),
            ((l + r) / 2.0, b),
            (l, (t + b) / 2.0),
            (r, (t + b) / 2.0),
        ];
        let (cx, cy) = ((l + r) / 2.0, (t + b) / 2.0);
        let lonlat: Vec<Coord<f64>> = corners
            .iter()
            .filter_map(|&(x, y)| {
                self.plane
                    .inverse(Coord {
                        x: self.centre.x + (x - cx) / self.scale,
                        y: self.centre.y - (y - cy) / self.scale,
                    })
                    .ok()
            })
            .collect();
        let (mut min, mut max) = (
            Coord {
                x: f64::MAX,
                y: f64::MAX,
            },
            Coord {
                x: f64::MIN,
                y: f64::MIN,
            },
        );
        for c in lonlat {
            min = Coord {
                x: min.x.min(c.x),
                y: min.y.min(c.y),
            };
            max = Coord {
                x: max.x.max(c.x),
                y: max.y.max(c.y),
            };
        }
        let pad = ((max.x - min.x) * 0.02, (max.y - min.y) * 0.02);
        Rect::new(
            Coord {
                x: min.x - pad.0,
                y: min.y - pad.1,
            },
            Coord {
                x: max.x + pad.0,
                y: max.y + pad.1,
            },
        )
    }
}
