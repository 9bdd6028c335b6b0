package credsrc

import "testing"

// STS and IAM endpoints are in the region's partition, every partition.
func TestEndpoints(t *testing.T) {
	for _, tc := range []struct {
		region            string
		sts, iam, iamSign string
	}{
		{"", "https://sts.us-east-1.amazonaws.com/", "https://iam.amazonaws.com/", "us-east-1"},
		{"eu-west-1", "https://sts.eu-west-1.amazonaws.com/", "https://iam.amazonaws.com/", "us-east-1"},
		{"cn-northwest-1", "https://sts.cn-northwest-1.amazonaws.com.cn/", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1"},
		{"us-gov-east-1", "https://sts.us-gov-east-1.amazonaws.com/", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1"},
		{"eusc-de-east-1", "https://sts.eusc-de-east-1.amazonaws.eu/", "https://iam.eusc-de-east-1.amazonaws.eu/", "eusc-de-east-1"},
		{"us-iso-east-1", "https://sts.us-iso-east-1.c2s.ic.gov/", "https://iam.us-iso-east-1.c2s.ic.gov/", "us-iso-east-1"},
		{"us-isob-east-1", "https://sts.us-isob-east-1.sc2s.sgov.gov/", "https://iam.us-isob-east-1.sc2s.sgov.gov/", "us-isob-east-1"},
		{"eu-isoe-west-1", "https://sts.eu-isoe-west-1.cloud.adc-e.uk/", "https://iam.eu-isoe-west-1.cloud.adc-e.uk/", "eu-isoe-west-1"},
		{"us-isof-south-1", "https://sts.us-isof-south-1.csp.hci.ic.gov/", "https://iam.us-isof-south-1.csp.hci.ic.gov/", "us-isof-south-1"},
	} {
		if s := STS(tc.region); s.URL != tc.sts || s.Service != "sts" {
			t.Errorf("STS(%q) = %+v, want %s", tc.region, s, tc.sts)
		}
		if i := IAM(tc.region); i.URL != tc.iam || i.Region != tc.iamSign || i.Service != "iam" {
			t.Errorf("IAM(%q) = %+v, want %s signed for %s", tc.region, i, tc.iam, tc.iamSign)
		}
	}
}
