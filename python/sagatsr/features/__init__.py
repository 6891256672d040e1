"""Physical features of crystals: ≥30 site features and ≥180 crystal features, all with units.

See :mod:`~sagatsr.features.elements` (elemental data), :mod:`~sagatsr.features.missing`
(missing-data policy), :mod:`~sagatsr.features.composition`, :mod:`~sagatsr.features.structural`.
"""

from sagatsr.features.feature import Feature
from sagatsr.features.featurize import featurize
from sagatsr.features.space import FeatureSpace

__all__ = ["Feature", "FeatureSpace", "featurize"]
